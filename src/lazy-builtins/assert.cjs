'use strict';
// node:assert as undici gets it (see LAZY_BUILTINS in build.mjs): undici
// calls assert(value[, message]) for its invariants, about 150 places, and
// nothing else of the module. The real module, with the error formatting and
// diffing it loads, is needed only when one fails: not loading it saves a warm
// `token list` about 10 million instructions on Node 20 and 5 million on
// Node 24 (2–4 %). test/lazy-builtins.test.ts checks that undici uses nothing more.
module.exports = function assert(value, message) {
  if (!value) require('node:assert')(value, message);
};
