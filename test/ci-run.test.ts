// .ci/run checks once and tests on every Node line; `npm test` still does
// everything for someone at a keyboard. Read from the files themselves, since
// running .ci/run needs root, apt and the network.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
const ci = readFileSync(new URL('.ci/run', root), 'utf8');

/** The commands a shell script runs, comments dropped. */
const code = ci.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');

describe('.ci/run and the npm scripts', () => {
  it('npm test = npm run check (lint, type check, build) + npm run test:only', () => {
    assert.equal(scripts.test, 'npm run check && npm run test:only');
    assert.equal(scripts.check, 'npm run lint && npm run typecheck && npm run build');
    // The test files bundled (test/build-tests.mjs), then run by node:test.
    assert.match(scripts['test:only'] ?? '', /^node test\/build-tests\.mjs && node --test .*\.test-build\/test\/\*\.test\.mjs$/);
    assert.doesNotMatch(scripts['test:only'] ?? '', /npm run|eslint|tsc|build\.mjs/);
  });

  it('.ci/run checks once, before the loop over Node lines, and runs only the tests inside it', () => {
    const loop = /^for bin in "\$\{NODE_BINS\[@\]\}"; do\n([\s\S]*?)^done$/m.exec(code);
    assert.ok(loop, 'the loop over Node lines');
    const before = code.slice(0, loop.index);
    const inside = loop[1] ?? '';
    assert.equal(before.match(/\bnpm run check\b/g)?.length, 1, 'npm run check once, before the loop');
    // npm_test LABEL BIN DIR SCRIPT runs `npm run SCRIPT` with that node first on PATH.
    assert.match(before, /^npm_test\(\) \{[\s\S]*?PATH="\$bin:\$PATH" npm run "\$script"[\s\S]*?^\}$/m);
    assert.match(inside, /^\s*npm_test .* "\$bin" "\$PWD" test:only$/m);
    assert.doesNotMatch(inside, /\bnpm (test|run)\b/);
    // After the loop, only the fresh clone under a private directory runs the whole npm test (its own check included).
    const after = code.slice(loop.index + loop[0].length);
    assert.deepEqual(after.match(/^\s*npm_test .*$/gm)?.map((l) => l.trim().split(' ').at(-1)), ['test']);
    assert.match(after, /npm ci\b/);
    assert.doesNotMatch(code, /\bnpm test\b/);
  });
});
