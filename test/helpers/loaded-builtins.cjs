'use strict';
// Preloaded into osmo (NODE_OPTIONS=--require) by test/startup.test.ts: at
// exit, writes the built-in modules the process loaded, in the order it
// loaded them, one per line, to the file OSMO_TEST_LOADED_BUILTINS names.
process.on('exit', () => {
  const loaded = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  require('node:fs').writeFileSync(process.env.OSMO_TEST_LOADED_BUILTINS, `${loaded.join('\n')}\n`);
});
