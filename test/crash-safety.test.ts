import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { newUser, useServer } from './helpers/fixtures.js';

const server = useServer();
const ATOMIC_WRITE = fileURLToPath(new URL('../src/util/atomic-write.ts', import.meta.url));

/** src/util/atomic-write.ts as plain JavaScript: a writer that starts in a few tens of milliseconds, not the second tsx may take. */
function atomicWriteModule(): string {
  const outfile = join(tempDir('osmo-atomic-'), 'atomic-write.mjs');
  buildSync({ entryPoints: [ATOMIC_WRITE], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
  return outfile;
}

/**
 * Kills the writer `ms` after it says (a line on stdout) that it is writing:
 * counted from its start, a kill on a loaded machine may land before the
 * first write, and then proves nothing.
 */
function killWhileWriting(args: string[], env: Record<string, string>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once('data', () => (timer = setTimeout(() => child.kill('SIGKILL'), ms)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A writer that ended any other way (it failed to load, say) was never killed while writing.
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the writer ended by itself (${code ?? signal}): ${stderr}`));
    });
  });
}

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
    const module = atomicWriteModule();
    const a = JSON.stringify({ which: 'a', pad: 'a'.repeat(400_000) });
    const b = JSON.stringify({ which: 'b', pad: 'b'.repeat(400_000) });
    // Two writers at once (one per core of a small machine), each alone on its file.
    const lanes = 2;
    const killsPerLane = 13;
    await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
      const target = join(tempDir(), 'credentials.json');
      writeFileSync(target, a);
      const script = `import { writeFileAtomic } from ${JSON.stringify(module)};
        const a = JSON.stringify({ which: 'a', pad: 'a'.repeat(400_000) });
        const b = JSON.stringify({ which: 'b', pad: 'b'.repeat(400_000) });
        console.log('writing');
        for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(target)}, i % 2 ? a : b, 0o600);`;
      for (let i = 0; i < killsPerLane; i++) {
        await killWhileWriting(['--input-type=module', '-e', script], { ...process.env } as Record<string, string>, 20 + Math.random() * 130);
        const content = readFileSync(target, 'utf8');
        assert.ok(content === a || content === b, `writer ${lane}, kill ${i}: torn file of ${content.length} bytes`);
      }
    }));
    console.log(`# atomic writes survived ${lanes * killsPerLane} SIGKILLs`);
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
