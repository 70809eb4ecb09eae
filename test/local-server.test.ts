// The README's way to try osmo by hand: the bundled local server started with
// its one command, its users and passwords, and a device page that approves a
// code from a form, so that every login method works against it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';

// The server runs as the README starts it; osmo in-process, except the device
// login, which runs bin/osmo as a person would while they click on the page.
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser();

let child: ChildProcess;
let url: string;
let banner = '';

before(async () => {
  // The command the README gives, as it gives it.
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.match(readme, /\n {4}npx tsx test\/server\/main\.ts --port 8000\n/);
  child = spawn(process.execPath, ['--import', 'tsx', 'test/server/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (banner += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const ready = (): void => {
      if (out.includes('\n') && banner.includes('Stop with Ctrl-C.')) resolve(out.split('\n')[0]!);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      ready();
    });
    child.stderr!.on('data', ready);
    child.once('exit', () => reject(new Error(`server exited early: ${banner}`)));
  });
});
after(() => {
  child.kill('SIGTERM');
});

describe('the local server, by hand', () => {
  it('says its users, passwords and administrator, as the README does', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const line of ['user@example.com / user-password', 'admin@example.com / admin-password']) {
      assert.ok(banner.includes(line), banner);
      assert.ok(readme.includes(line.replace(' / ', '` / `')), `README names ${line}`);
    }
    assert.match(banner, /osmo-admin/);
  });

  it('a password login with its password works, and its administrator acts for other users', async () => {
    const { osmo } = newUser();
    const res = await osmo(['login', url, '--method', 'password', '--username', 'admin@example.com', '--password-stdin'], { input: 'admin-password\n' });
    assert.equal(res.code, 0, res.stderr);
    assert.match((await osmo(['whoami'])).stdout, /admin@example\.com/);
    const dev = newUser();
    assert.equal((await dev.osmo(['login', url, '--method', 'dev', '--username', 'admin@example.com'])).code, 0);
    // Only an administrator may list another user's tokens.
    const theirs = await dev.osmo(['token', 'list', '-u', 'user@example.com']);
    assert.equal(theirs.code, 0, theirs.stderr);
  });

  it('a device code is approved with a click on its page (a form)', async () => {
    const dir = tempDir();
    const login = spawn(process.execPath, [OSMO_BIN, 'login', url, '--method', 'code'], { env: baseEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    login.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const page = await new Promise<string>((resolve) => {
      login.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /\(or open (\S+) and confirm the code\)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
    });
    const html = await (await fetch(page)).text();
    // What the browser would send on "Approve": the form's fields as the page fills them in.
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const fields = new URLSearchParams([...html.matchAll(/<input name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]));
    fields.set('action', /<button name="action" value="(approve)">Approve<\/button>/.exec(html)![1]!);
    const answer = await fetch(new URL(action, page), { method: 'POST', body: fields });
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), /Approved/);
    const code = await new Promise<number | null>((resolve) => login.once('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Successfully logged in\. Welcome \S+\./);
    assert.match((await runInProcess(['whoami'], dir)).stdout, /user@example\.com/);
  });
});
