// .ci/run checks once and tests on every Node line; `npm test` still does
// everything for someone at a keyboard. Read from the files themselves, since
// running .ci/run needs root, apt and the network.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outsideThisRun, tempDir } from './helpers/cli.js';

const root = new URL('../', import.meta.url);
const ROOT = fileURLToPath(root);
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
const ci = readFileSync(new URL('.ci/run', root), 'utf8');

/** The commands a shell script runs, comments dropped. */
const code = ci.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');

describe('.ci/run and the npm scripts', () => {
  it('npm test = npm run check (lint, type check, build) + npm run test:only', () => {
    assert.equal(scripts.test, 'npm run check && npm run test:only');
    // Side by side (npm-run-all2): tsc is one thread, and on 2 cores this takes 11 s from cold where one after the other took 17.
    // Every one runs to its end, so lint and type errors are all shown at once.
    assert.equal(scripts.check, 'run-p --continue-on-error --print-label lint typecheck build');
    // The test files bundled (test/build-tests.mjs), then run by node:test.
    // Without the machine's NODE_EXTRA_CA_CERTS: every test process would parse that bundle at start (~45 ms of CPU each).
    assert.match(scripts['test:only'] ?? '', /^node test\/build-tests\.mjs && env -u NODE_EXTRA_CA_CERTS node --test .*\.test-build\/test\/\*\.test\.mjs$/);
    assert.doesNotMatch(scripts['test:only'] ?? '', /npm run|eslint|tsc|build\.mjs/);
  });

  it('a test that never ends, or a file that does not exit after its tests, fails by name instead of holding up the run', async () => {
    const args = (scripts['test:only'] ?? '').split(' ');
    const timeout = args.find((a) => a.startsWith('--test-timeout='));
    const preload = args[args.indexOf('--import') + 1];
    assert.ok(timeout && preload === './test/helpers/end-when-done.js', scripts['test:only']);
    const dir = tempDir();
    // A server keeps the event loop alive: without the bounds, either file would run for ever.
    const serving = "import { it } from 'node:test';\nimport { createServer } from 'node:http';\ncreateServer().listen(0);\n";
    writeFileSync(join(dir, 'hangs.test.mjs'), `${serving}it('never ends', () => new Promise(() => {}));\n`);
    writeFileSync(join(dir, 'stays.test.mjs'), `${serving}it('passes, leaving its server running', () => {});\n`);
    const started = Date.now();
    const res = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--test-timeout=2000', '--import', preload, join(dir, 'hangs.test.mjs'), join(dir, 'stays.test.mjs')], {
      cwd: ROOT, encoding: 'utf8', timeout: 30_000,
      env: outsideThisRun({ OSMO_TEST_EXIT_GRACE_MS: '500' }),
    });
    assert.equal(res.status, 1, res.stdout + res.stderr);
    assert.ok(Date.now() - started < 20_000);
    assert.match(res.stdout, /^not ok \d+ - .*(never ends|hangs\.test\.mjs)/m);
    assert.match(res.stdout, /timed out after 2000ms/);
    assert.match(res.stdout, /^ok \d+ - passes, leaving its server running/m);
    assert.match(res.stdout, /^not ok \d+ - .*stays\.test\.mjs/m);
    assert.match(res.stdout, /still held open by: .*TCPServerWrap.*; ended it/);
  });

  it('.ci/run checks once, before the loop over Node lines, and runs only the tests inside it', () => {
    const loop = /^for bin in "\$\{NODE_BINS\[@\]\}"; do\n([\s\S]*?)^done$/m.exec(code);
    assert.ok(loop, 'the loop over Node lines');
    const before = code.slice(0, loop.index);
    const inside = loop[1] ?? '';
    assert.equal(before.match(/\bnpm run check\b/g)?.length, 1, 'npm run check once, before the loop');
    // npm_test LABEL BIN DIR SCRIPT runs `npm run SCRIPT` with that node first on PATH.
    // Bounded by `timeout`, so a hang ends as a named failure rather than CI's own time limit.
    assert.match(before, /^npm_test\(\) \{[\s\S]*?PATH="\$bin:\$PATH" timeout --kill-after=30 "\$LINE_LIMIT_S" npm run "\$script"[\s\S]*?^\}$/m);
    assert.match(inside, /^\s*npm_test .* "\$bin" "\$PWD" test:only$/m);
    assert.doesNotMatch(inside, /\bnpm (test|run)\b/);
    // After the loop, only the fresh clone under a private directory runs the whole npm test (its own check included).
    const after = code.slice(loop.index + loop[0].length);
    assert.deepEqual(after.match(/^\s*npm_test .*$/gm)?.map((l) => l.trim().split(' ').at(-1)), ['test']);
    assert.match(after, /npm ci\b/);
    assert.doesNotMatch(code, /\bnpm test\b/);
  });
});
