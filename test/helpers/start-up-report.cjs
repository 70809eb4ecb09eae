'use strict';
// Preloaded into osmo (NODE_OPTIONS=--require) by test/startup.test.ts. At
// exit, writes to the file OSMO_TEST_START_UP_REPORT, as JSON, what start-up
// cares about: the built-in modules the process loaded, in the order it loaded
// them, and the error stacks it formatted (the first frame of each error): for
// an error made in the bundle, V8 scans the whole bundle for line ends.
const stacks = [];
Error.prepareStackTrace = (error, frames) => {
  stacks.push(`${error?.name}: ${error?.message} (${frames[0] ?? 'no frame'})`);
  return [String(error), ...frames.map((frame) => `    at ${frame}`)].join('\n');
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  require('node:fs').writeFileSync(process.env.OSMO_TEST_START_UP_REPORT, JSON.stringify({ builtins, stacks }));
});
