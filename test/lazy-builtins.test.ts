// build.mjs gives undici stand-ins for node:http2 and node:assert and
// commander one for node:child_process (src/lazy-builtins/). If a library
// starts to use more of a module, this fails rather than the stand-in quietly
// answering undefined.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as http2 from 'node:http2';
import { AssertionError } from 'node:assert';

const require = createRequire(import.meta.url);

/** Every .js file of a package that requires `builtin`, with its source. */
function filesRequiring(pkg: string, builtin: string): Array<{ file: string; source: string }> {
  const root = fileURLToPath(new URL(`../node_modules/${pkg}`, import.meta.url));
  const pattern = new RegExp(`require\\(['"](node:)?${builtin}['"]\\)`);
  const walk = (dir: string): Array<{ file: string; source: string }> =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(path);
      if (!e.name.endsWith('.js')) return [];
      const source = readFileSync(path, 'utf8');
      return pattern.test(source) ? [{ file: path.slice(root.length + 1), source }] : [];
    });
  return walk(root);
}

/** The properties a library reads from the variable it keeps the module in. */
function propertiesUsed(source: string, variable: string): string[] {
  return [...new Set([...source.matchAll(new RegExp(`\\b${variable}\\.(\\w+)`, 'g'))].map((m) => m[1]!))];
}

describe('the node:http2 stand-in undici is built with', () => {
  const shim = require('../src/lazy-builtins/http2.cjs') as { constants: Record<string, unknown>; connect: unknown };
  const users = filesRequiring('undici', 'http2');

  it('only undici/lib/dispatcher/client-h2.js requires node:http2', () => {
    assert.deepEqual(users.map((u) => u.file), ['lib/dispatcher/client-h2.js']);
  });

  it('has every constant undici names, with the real value', () => {
    const named = new Set(users.flatMap((u) => [...u.source.matchAll(/\b(NGHTTP2_[A-Z0-9_]+|HTTP2_[A-Z0-9_]+)\b/g)].map((m) => m[1]!)));
    assert.ok(named.size >= 8, [...named].join(', '));
    for (const name of named) assert.equal(shim.constants[name], (http2.constants as Record<string, unknown>)[name], name);
  });

  it('undici uses nothing of the module but constants and connect()', () => {
    assert.deepEqual(users.flatMap((u) => propertiesUsed(u.source, 'http2')).filter((name) => name !== 'constants' && name !== 'connect'), []);
    assert.equal(typeof shim.connect, 'function');
  });
});

describe('the node:child_process stand-in commander is built with', () => {
  const shim = require('../src/lazy-builtins/child-process.cjs') as { spawn: (...args: unknown[]) => { on(event: string, fn: (code: number) => void): void } };
  const users = filesRequiring('commander', 'child_process');

  it('only commander/lib/command.js requires it, and uses nothing but spawn()', () => {
    assert.deepEqual(users.map((u) => u.file), ['lib/command.js']);
    assert.deepEqual(propertiesUsed(users[0]!.source, 'childProcess'), ['spawn']);
  });

  it('spawn() reaches the real module', async () => {
    const child = shim.spawn(process.execPath, ['-e', 'process.exit(3)']);
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 3);
  });
});

describe('the node:assert stand-in undici is built with', () => {
  const shim = require('../src/lazy-builtins/assert.cjs') as (value: unknown, message?: string) => void;
  const users = filesRequiring('undici', 'assert');

  it('undici keeps it as `assert` and only calls it, never a method of it', () => {
    assert.ok(users.length >= 20, `${users.length} files`);
    for (const { file, source } of users) {
      assert.match(source, /const assert = require\('node:assert'\)/, file);
      assert.deepEqual(propertiesUsed(source, 'assert'), [], file);
    }
  });

  it('lets a true value pass and throws the real AssertionError, with its message, for a false one', () => {
    shim(1);
    shim(true, 'not thrown');
    assert.throws(() => shim(0, 'socket is gone'), (err) => err instanceof AssertionError && err.message === 'socket is gone');
    assert.throws(() => shim(undefined), AssertionError);
  });
});
