// Loaded into every test file's process (`node --test --import …` in
// package.json's test:only). node:test waits for a file's process to exit,
// and on Node 24 and later its --test-timeout bounds tests, not the process:
// a server, socket, timer or child that a file forgets would hold the whole
// run up for ever (on CI, until its 90 minutes are over). So once a file's
// tests are done, its process gets a grace period to end by itself; past it,
// the file fails, naming what still held it, and ends. (node's own
// --test-force-exit ends the runner before the failure summary is written.)
import { after } from 'node:test';

const GRACE_MS = Number(process.env.OSMO_TEST_EXIT_GRACE_MS) || 10_000;

// The runner itself loads this too; only a test file's process (NODE_TEST_CONTEXT) is bounded.
if (process.env.NODE_TEST_CONTEXT) {
  after(() => {
    setTimeout(() => {
      const held = process.getActiveResourcesInfo().filter((what) => what !== 'Timeout');
      process.stderr.write(`this file's tests were done ${GRACE_MS} ms ago, but its process was still held open by: ${held.join(', ') || 'timers'}; ended it\n`);
      process.exit(1);
    }, GRACE_MS).unref();
  });
}
