import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { newUser, useServer } from './helpers/fixtures.js';

const server = useServer();
const ATOMIC_WRITE = fileURLToPath(new URL('../src/util/atomic-write.ts', import.meta.url));

function killAfter(args: string[], env: Record<string, string>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('a crash at any moment leaves the old or the new state', () => {
  it('SIGKILL during atomic writes of a large file never leaves it torn', async () => {
    const dir = tempDir();
    const target = join(dir, 'credentials.json');
    const a = JSON.stringify({ which: 'a', pad: 'a'.repeat(400_000) });
    const b = JSON.stringify({ which: 'b', pad: 'b'.repeat(400_000) });
    writeFileSync(target, a);
    const script = `import { writeFileAtomic } from ${JSON.stringify(ATOMIC_WRITE)};
      const a = JSON.stringify({ which: 'a', pad: 'a'.repeat(400_000) });
      const b = JSON.stringify({ which: 'b', pad: 'b'.repeat(400_000) });
      for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(target)}, i % 2 ? a : b, 0o600);`;
    const kills = 25;
    for (let i = 0; i < kills; i++) {
      await killAfter(['--import', 'tsx', '--input-type=module', '-e', script], { ...process.env } as Record<string, string>, 150 + Math.random() * 150);
      const content = readFileSync(target, 'utf8');
      assert.ok(content === a || content === b, `iteration ${i}: torn file of ${content.length} bytes`);
    }
    console.log(`# atomic writes survived ${kills} SIGKILLs`);
  });

  it('SIGKILL during `osmo login` keeps every store readable with the old or the new token', async () => {
    const { dir, osmo } = newUser();
    const pats = [server().issuePat('user@example.com', 'crash-a'), server().issuePat('user@example.com', 'crash-b')];
    const files = pats.map((pat, i) => {
      const file = join(tempDir(), `token-${i}`);
      writeFileSync(file, pat, { mode: 0o600 });
      return file;
    });
    const env = baseEnv(dir);
    const kills = 12;
    for (let i = 0; i < kills; i++) {
      await killAfter([OSMO_BIN, 'login', server().url, '--method', 'token', '--token-file', files[i % 2]!], env, Math.random() * 400);
      const creds = join(dir, 'credentials.json');
      if (existsSync(creds)) {
        const stored = readJson(creds) as { accounts: Record<string, { pat?: string }> };
        const pat = stored.accounts[server().url]?.pat;
        assert.ok(pat === undefined || pats.includes(pat), `iteration ${i}: unexpected PAT state`);
      }
      const config = join(dir, 'config.json');
      if (existsSync(config)) assert.equal((readJson(config) as { version: number }).version, 1);
    }
    // A lock left by a killed process is taken over once stale; the next command works.
    const res = await osmo(['login', server().url, '--method', 'token', '--token-file', files[0]!]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await osmo(['token', 'list'])).code, 0);
    console.log(`# osmo login survived ${kills} SIGKILLs`);
  });
});
