// Issue 19, findings 1, 4 and 12: only a code cache osmo wrote itself runs, a
// damaged one never crashes, a failed write leaves nothing, and --debug stack
// traces name osmo's own functions and source lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { tagOf } from '../src/startup/code-cache.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_SUBDIR = `v8-${process.version}-${process.arch}`;
const BUNDLE_END = '// end of the osmo bundle';

function osmo(bin: string, args: string[], env: Record<string, string | undefined>): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [bin, ...args], { env: baseEnv(tempDir(), env), encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function cacheDir(cacheHome: string): string {
  return join(cacheHome, 'osmo', CACHE_SUBDIR);
}

/** The .bin file of one command in a cache directory. */
function binOf(cacheHome: string, command: string): string {
  const name = readdirSync(cacheDir(cacheHome)).find((f) => f.endsWith(`-${command}.bin`));
  assert.ok(name, `no cache file for ${command} in ${readdirSync(cacheDir(cacheHome)).join(', ')}`);
  return join(cacheDir(cacheHome), name);
}

function cacheLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('[debug] code cache: ')).map((l) => l.slice('[debug] code cache: '.length));
}

/**
 * A copy of osmo whose bundle is a payload of exactly the real bundle's
 * length: V8 accepts a cache of it for the real bundle. The payload writes
 * $OSMO_TEST_PAYLOAD when it runs.
 */
function payloadInstallation(): string {
  const dir = tempDir('osmo-payload-');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  for (const f of ['bin/osmo', 'bin/run-bundle.js', 'bin/package.json', 'package.json']) copyFileSync(join(ROOT, f), join(dir, f));
  if (existsSync(join(ROOT, 'dist', 'code-cache.cjs'))) copyFileSync(join(ROOT, 'dist', 'code-cache.cjs'), join(dir, 'dist', 'code-cache.cjs'));
  const length = statSync(join(ROOT, 'dist', 'osmo.cjs')).size;
  const head = "require('node:fs').writeFileSync(process.env.OSMO_TEST_PAYLOAD || '/dev/null', 'payload ran\\n');\n/*";
  const tail = `*/\n${BUNDLE_END}\n`;
  writeFileSync(join(dir, 'dist', 'osmo.cjs'), head + 'x'.repeat(length - head.length - tail.length) + tail);
  assert.equal(statSync(join(dir, 'dist', 'osmo.cjs')).size, length);
  return join(dir, 'bin', 'osmo');
}

describe('finding 1: a code cache osmo did not write itself never runs', () => {
  for (const attacker of ['with their own key', "made with the user's own osmo and key, for another bundle"]) {
    it(`a cache of a same-length bundle with a payload, planted over the user's (${attacker}), is refused and replaced`, () => {
      const victimCache = tempDir('osmo-victim-cache-');
      const first = osmo(OSMO_BIN, ['completion', 'bash'], { XDG_CACHE_HOME: victimCache });
      assert.equal(first.code, 0, first.stderr);
      const target = binOf(victimCache, 'completion-bash');

      // The attacker compiles the payload once, through osmo's own loader.
      const attackerCache = attacker.startsWith('with their own') ? tempDir('osmo-attacker-cache-') : victimCache;
      const payload = payloadInstallation();
      assert.equal(osmo(payload, ['completion', 'bash'], { XDG_CACHE_HOME: attackerCache }).code, 0);
      const planted = binOf(attackerCache, 'completion-bash') === target ? undefined : binOf(attackerCache, 'completion-bash');
      assert.ok(planted, 'the payload has a cache file of its own');
      // (The payload's own run may have swept the user's files as those of an old build.)
      writeFileSync(target, readFileSync(planted), { mode: 0o600 });
      const tag = planted.replace(/\.bin$/, '.tag');
      if (existsSync(tag)) writeFileSync(target.replace(/\.bin$/, '.tag'), readFileSync(tag), { mode: 0o600 });

      const marker = join(tempDir(), 'payload-ran');
      const res = osmo(OSMO_BIN, ['completion', 'bash', '--debug'], { XDG_CACHE_HOME: victimCache, OSMO_TEST_PAYLOAD: marker });
      assert.equal(existsSync(marker), false, 'the payload ran');
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, first.stdout);
      assert.deepEqual(cacheLines(res.stderr), [`not used: ${target} was not written by osmo for this build, or was changed since; replacing it`, `written to ${target}`]);
      const again = osmo(OSMO_BIN, ['completion', 'bash', '--debug'], { XDG_CACHE_HOME: victimCache, OSMO_TEST_PAYLOAD: marker });
      assert.match(cacheLines(again.stderr).join('\n'), /^used \(read and checked in [0-9.]+ ms\)$/);
      assert.equal(existsSync(marker), false);
    });
  }

  it('a cache file copied back in (a restored backup or CI cache), key and tag included, is not used', () => {
    const cacheHome = tempDir('osmo-restored-');
    assert.equal(osmo(OSMO_BIN, ['completion', 'bash'], { XDG_CACHE_HOME: cacheHome }).code, 0);
    const file = binOf(cacheHome, 'completion-bash');
    const saved = readFileSync(file);
    writeFileSync(`${file}.restored`, saved, { mode: 0o600 });
    spawnSync('mv', [`${file}.restored`, file]);
    const res = osmo(OSMO_BIN, ['completion', 'bash', '--debug'], { XDG_CACHE_HOME: cacheHome });
    assert.equal(res.code, 0, res.stderr);
    assert.match(cacheLines(res.stderr)[0]!, /^not used: .* was not written by osmo for this build, or was changed since; replacing it$/);
  });
});

describe('finding 4: a damaged cache never crashes; a failed write leaves nothing', () => {
  /** 64 bytes flipped in the middle of a cache file, as in the audit. */
  function flip(file: string): void {
    const data = readFileSync(file);
    for (let i = 0; i < 64; i++) data[Math.floor(data.length / 2) + i * 7]! ^= 0xff;
    const fd = openSync(file, 'r+');
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
  }

  /** The next run refuses the damaged cache, writes a new one, and prints what the first run printed. */
  function runsAndReplaces(cacheHome: string, file: string, expected: string): void {
    const res = osmo(OSMO_BIN, ['completion', 'bash', '--debug'], { XDG_CACHE_HOME: cacheHome });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, expected);
    assert.deepEqual(cacheLines(res.stderr), [`not used: ${file} was not written by osmo for this build, or was changed since; replacing it`, `written to ${file}`]);
  }

  it('64 flipped bytes: refused, replaced, and the command works', () => {
    const cacheHome = tempDir('osmo-flipped-');
    const first = osmo(OSMO_BIN, ['completion', 'bash'], { XDG_CACHE_HOME: cacheHome });
    const file = binOf(cacheHome, 'completion-bash');
    flip(file);
    runsAndReplaces(cacheHome, file, first.stdout);
  });

  it('a cache cut short, or grown, is refused and replaced', () => {
    const cacheHome = tempDir('osmo-cut-cache-');
    const first = osmo(OSMO_BIN, ['completion', 'bash'], { XDG_CACHE_HOME: cacheHome });
    const file = binOf(cacheHome, 'completion-bash');
    for (const change of [(d: Buffer) => d.subarray(0, d.length >> 1), (d: Buffer) => Buffer.concat([d, Buffer.alloc(64)])]) {
      writeFileSync(file, change(readFileSync(file)));
      runsAndReplaces(cacheHome, file, first.stdout);
    }
  });

  it('the tag is a keyed MAC of the kernel facts: another key, another bundle or another file gives another tag', () => {
    const dir = tempDir('osmo-tag-');
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, 'x');
    writeFileSync(b, 'x');
    const key = Buffer.alloc(16, 1);
    const bigA = statSync(a, { bigint: true });
    const bigB = statSync(b, { bigint: true });
    const tag = tagOf(key, bigA, bigB);
    assert.equal(tag.length, 8);
    assert.deepEqual(tagOf(key, bigA, bigB), tag, 'the same facts, the same tag');
    assert.notDeepEqual(tagOf(Buffer.alloc(16, 2), bigA, bigB), tag);
    assert.notDeepEqual(tagOf(key, bigB, bigB), tag);
    assert.notDeepEqual(tagOf(key, bigA, bigA), tag);
  });

  it('a cache write that fails (file size limit, as a full disk) leaves no temporary file; old leftovers are swept', () => {
    const cacheHome = tempDir('osmo-full-');
    const dir = cacheDir(cacheHome);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const old = join(dir, 'x-1-completion-bash.bin.4242.tmp');
    writeFileSync(old, 'left by a killed write', { mode: 0o600 });
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    // 64 KiB: the key and tag fit, the cache (hundreds of KiB) does not.
    const env = baseEnv(tempDir(), { XDG_CACHE_HOME: cacheHome });
    const res = spawnSync('sh', ['-c', `ulimit -f 64; exec "${process.execPath}" "${OSMO_BIN}" completion bash`], { env, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.bin')), [], 'nothing half-written, and the old leftover is gone');
    const later = osmo(OSMO_BIN, ['completion', 'bash', '--debug'], { XDG_CACHE_HOME: cacheHome });
    assert.equal(later.code, 0, later.stderr);
    assert.match(cacheLines(later.stderr).join('\n'), /^none yet\nwritten to /);
  });
});

describe('finding 12: --debug stack traces name osmo’s own functions and source lines', () => {
  it('an error under --debug shows src/…ts positions and real names; without --debug no stack at all', () => {
    const cfg = tempDir();
    const res = spawnSync(process.execPath, [OSMO_BIN, 'whoami', '--debug'], { env: baseEnv(cfg), encoding: 'utf8' });
    assert.equal(res.status, 2, res.stderr);
    const frames = res.stderr.split('\n').filter((l) => /^ {4}at /.test(l));
    assert.ok(frames.length > 2, res.stderr);
    assert.ok(frames.some((f) => /\bsrc\/[a-z/-]+\.ts:\d+:\d+\)?$/.test(f)), `a frame in src/: ${frames.join('\n')}`);
    assert.ok(!frames.some((f) => /dist\/osmo\.cjs/.test(f)), `no frame left in the minified bundle: ${frames.join('\n')}`);
    assert.ok(frames.some((f) => /at (async )?[A-Za-z]+[a-z][A-Za-z.]{3,} \(/.test(f)), `a real function name: ${frames.join('\n')}`);
    const plain = spawnSync(process.execPath, [OSMO_BIN, 'whoami'], { env: baseEnv(cfg), encoding: 'utf8' });
    assert.doesNotMatch(plain.stderr, /^ {4}at /m);
  });
});
