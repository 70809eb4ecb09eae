// `npm test` repeats its failures at the end (test/helpers/failure-summary.js),
// below the TAP counts that .ci/run reads, which must stay as they are.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { outsideThisRun } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

it('npm test ends with a summary of the failed tests, after the TAP counts', () => {
  const script = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts['test:only'] ?? '';
  // The test runner's own arguments, as npm test gives them (through npm run test:only), run on a file where two tests fail, bundled as the suite is.
  const run = script.slice(script.indexOf(' node --test ') + ' node '.length);
  const args = run.split(' ').filter((a) => a !== '.test-build/test/*.test.mjs');
  assert.ok(args.length < run.split(' ').length, `the runner's arguments end with the bundled test files: ${run}`);
  const outdir = `${ROOT}/.test-build-summary-${process.pid}`;
  try {
    const built = spawnSync(process.execPath, ['test/build-tests.mjs', 'test/helpers/failing-tests.fixture.ts', '--outdir', outdir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const res = spawnSync(process.execPath, [...args, `${outdir}/test/helpers/failing-tests.fixture.mjs`], { cwd: ROOT, env: outsideThisRun(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 1, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.ok(lines.includes('# pass 2') && lines.includes('# fail 2'), res.stdout);
    assert.ok(lines.some((line) => /^ *not ok 1 - compares$/.test(line)), 'the TAP report is complete');
    // Named by the TypeScript file the bundle was built from.
    assert.deepEqual(lines.slice(-5), [
      '# 2 failed tests (details above, under "not ok"):',
      '#   test/helpers/failing-tests.fixture.ts: outer > inner > compares',
      '#       AssertionError: Expected values to be strictly equal: 1 !== 2',
      '#   test/helpers/failing-tests.fixture.ts: throws',
      '#       Error: first line second line',
    ]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
