// build.mjs gives undici a stand-in for node:http2 (src/http/http2-shim.cjs).
// If undici starts to read another constant or function of the module, this
// fails rather than the stand-in quietly answering undefined.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as http2 from 'node:http2';

const require = createRequire(import.meta.url);
const shim = require('../src/http/http2-shim.cjs') as { constants: Record<string, unknown>; connect: unknown };
const UNDICI_LIB = join(require.resolve('undici/package.json'), '..', 'lib');

/** Every file of undici that requires node:http2, with its source. */
function http2Users(dir: string): Array<{ file: string; source: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return http2Users(path);
    if (!e.name.endsWith('.js')) return [];
    const source = readFileSync(path, 'utf8');
    return /require\(['"](node:)?http2['"]\)/.test(source) ? [{ file: path, source }] : [];
  });
}

describe('the node:http2 stand-in undici is built with', () => {
  const users = http2Users(UNDICI_LIB);

  it('only undici/lib/dispatcher/client-h2.js requires node:http2', () => {
    assert.deepEqual(users.map((u) => u.file.slice(UNDICI_LIB.length + 1)), ['dispatcher/client-h2.js']);
  });

  it('has every constant undici names, with the real value', () => {
    const named = new Set(users.flatMap((u) => [...u.source.matchAll(/\b(NGHTTP2_[A-Z0-9_]+|HTTP2_[A-Z0-9_]+)\b/g)].map((m) => m[1]!)));
    assert.ok(named.size >= 8, [...named].join(', '));
    for (const name of named) assert.equal(shim.constants[name], (http2.constants as Record<string, unknown>)[name], name);
  });

  it('undici uses nothing of the module but constants and connect()', () => {
    const used = new Set(users.flatMap((u) => [...u.source.matchAll(/\bhttp2\.(\w+)/g)].map((m) => m[1]!)));
    assert.deepEqual([...used].filter((name) => name !== 'constants' && name !== 'connect'), []);
    assert.equal(typeof shim.connect, 'function');
  });
});
