// The test server's signing keys come from a cache kept between runs
// (test/server/key-pool.ts): distinct within a process, stored privately.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { tempDir } from './helpers/cli.js';
import { JwtSigner } from './server/jwt.js';

const modulus = (signer: JwtSigner): unknown => signer.jwks().keys[0]?.n;

it('every signer and every rotation in a process gets a key of its own', () => {
  const signers = [new JwtSigner(), new JwtSigner(), new JwtSigner()];
  const seen = signers.map(modulus);
  signers[0]!.rotate();
  seen.push(modulus(signers[0]!));
  assert.equal(new Set(seen).size, seen.length, 'two signers share a key');
  const token = signers[1]!.sign({ iss: 'http://127.0.0.1:1', exp: 2_000_000_000 });
  assert.equal(signers[2]!.verify(token, 1_000, ['http://127.0.0.1:1']).ok, false, 'another signer accepts the token');
  assert.equal(signers[1]!.verify(token, 1_000, ['http://127.0.0.1:1']).ok, true);
});

it('keys are kept in a directory only this user can enter, each file 0600, and read back by the next process', () => {
  const dir = join(tmpdir(), `osmo-test-keys-${process.getuid?.() ?? 'user'}`);
  new JwtSigner();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir).filter((f) => /^rsa-2048-\d+\.pem$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  // A fresh process's first key is the stored rsa-2048-0.pem. The signer as plain JavaScript
  // (esbuild, as crash-safety's writer): a process that starts in tens of milliseconds, not through tsx.
  const module = join(tempDir('osmo-jwt-'), 'jwt.mjs');
  buildSync({ entryPoints: [fileURLToPath(new URL('./server/jwt.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', outfile: module, logLevel: 'silent' });
  const script = `import(${JSON.stringify(pathToFileURL(module).href)}).then(({ JwtSigner }) => process.stdout.write(String(new JwtSigner().jwks().keys[0].n)))`;
  const run = (): string => spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout;
  const first = run();
  assert.ok(first.length > 300, first);
  assert.equal(run(), first, 'the second process made a new key instead of reading the stored one');
});
