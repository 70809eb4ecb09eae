'use strict';
// node:http2 as undici gets it (see LAZY_BUILTINS in build.mjs): the
// constants undici reads when it loads, and a connect() that loads the real
// module only if an HTTP/2 connection is ever made. osmo never makes one
// (undici's allowH2 stays off), so neither http2 nor the tls and crypto it
// brings load for plain http://: ~12 ms of every start on Node 20.
// test/lazy-builtins.test.ts checks every constant against the real module.
const constants = {
  HTTP2_HEADER_AUTHORITY: ':authority',
  HTTP2_HEADER_METHOD: ':method',
  HTTP2_HEADER_PATH: ':path',
  HTTP2_HEADER_SCHEME: ':scheme',
  HTTP2_HEADER_CONTENT_LENGTH: 'content-length',
  HTTP2_HEADER_EXPECT: 'expect',
  HTTP2_HEADER_STATUS: ':status',
  HTTP2_HEADER_PROTOCOL: ':protocol',
  NGHTTP2_REFUSED_STREAM: 7,
  NGHTTP2_CANCEL: 8,
};

module.exports = {
  constants,
  connect: (...args) => require('node:http2').connect(...args),
};
