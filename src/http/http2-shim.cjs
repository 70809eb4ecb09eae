'use strict';
// Stands in for node:http2 inside undici (see lazyHttp2 in build.mjs): the
// constants undici reads when it loads, and a connect() that loads the real
// module only if an HTTP/2 connection is ever made. osmo never makes one, so
// tls and crypto are not loaded for plain http://, and the start is ~12 ms
// shorter on Node 20. test/http2-shim.test.ts checks every constant undici
// names against the real module's.
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
