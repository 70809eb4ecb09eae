'use strict';
// node:child_process as commander gets it (see LAZY_BUILTINS in build.mjs):
// commander spawns only for stand-alone executable subcommands, which osmo
// does not have, yet requires the module (and dgram, net and more with it)
// when it loads. The real module loads if spawn() is ever called.
// test/lazy-builtins.test.ts checks that spawn is all commander uses.
module.exports = {
  spawn: (...args) => require('node:child_process').spawn(...args),
};
