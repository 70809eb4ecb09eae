// Issue 19, finding 5: `osmo token rotate` never loses a token. What can be
// checked is checked before anything is deleted; an interruption leaves the
// old or the new token stored and usable and says which; -t json reports
// only what happened; a killed write leaves no PAT behind for good.
// In-process (test/helpers/in-process.ts), except through bin/osmo where a
// process is the point: Ctrl-C (SIGINT to the process), another Unix user,
// and the temporary file of --output-file, removed when the process exits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { EXCHANGE, futureDate, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { OSMO_BIN, baseEnv, readTree, runOsmo, tempDir } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { otherUser, stagedForOtherUsers } from './helpers/other-user.js';
import { until } from './helpers/wait.js';

const server = useServer();
const USER = 'user@example.com';
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser();

async function patWorks(pat: string): Promise<boolean> {
  const res = await fetch(`${server().url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
  return res.status === 200;
}

function changes(): string[] {
  return server().requests.filter((r) => r.method === 'POST' || r.method === 'DELETE').map((r) => `${r.method} ${r.path}`).filter((r) => r !== EXCHANGE);
}

describe('checked before anything is deleted', () => {
  it('--output-file naming another user\'s file in a sticky directory (/tmp): refused, nothing sent', async (t) => {
    const neighbour = otherUser(t);
    if (!neighbour) return;
    // The victim is the neighbour; the file in the shared sticky directory belongs to root.
    const sticky = tempDir('osmo-sticky-');
    chmodSync(sticky, 0o1777);
    const file = `${sticky}/token`;
    writeFileSync(file, 'someone else\'s\n', { mode: 0o644 });
    const login = server().issuePat(USER, 'sticky-login', { roles: ['osmo-user'] });
    const old = server().issuePat(USER, 'sticky-victim', { roles: ['osmo-user'] });
    server().resetCounts();
    // A copy the neighbour can read: the checkout may sit in a private directory.
    const staged = stagedForOtherUsers();
    const out = neighbour.sh(`"$NODE" "$OSMO" token rotate sticky-victim --output-file "$FILE" 2>&1; echo "rc=$?"`, {
      NODE: staged.node, OSMO: staged.osmo, FILE: file, OSMO_URL: server().url, OSMO_TOKEN: login,
      OSMO_CONFIG_DIR: neighbour.ownDir(0o700), NODE_DISABLE_COMPILE_CACHE: '1',
    });
    assert.match(out, /^Error: cannot write --output-file \S+: \S+ belongs to another user, in a directory where only its owner may replace it\n/);
    assert.match(out, /\nrc=2\n$/);
    assert.deepEqual(changes(), [], 'no create, no delete');
    assert.equal(await patWorks(old), true);
    assert.deepEqual(readdirSync(sticky), ['token'], 'no temporary file left');
  });

  it('a --new-name that is taken: refused after reading, before any create or delete', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', USER]);
    const old = server().issuePat(USER, 'free-check', { roles: ['osmo-user'] });
    server().issuePat(USER, 'free-check-taken', { roles: ['osmo-user'] });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'free-check', '--new-name', 'free-check-taken']);
    assertCleanFailure(res, { code: 2, message: /^Access token free-check-taken already exists$/ });
    assert.deepEqual(changes(), []);
    assert.equal(await patWorks(old), true);
  });
});

describe('-t json reports only what happened', () => {
  it('a file that could not be written is not reported as output_file', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', USER]);
    const old = server().issuePat(USER, 'json-file', { roles: ['osmo-user'] });
    const dir = tempDir();
    const file = `${dir}/token`;
    const create = 'POST /api/auth/access_token/json-file-2';
    // The create is answered when the test says so, not after a delay long enough under load.
    let answer = (): void => undefined;
    server().fault({ route: create, hold: new Promise<void>((resolve) => (answer = resolve)) });
    const running = osmo(['token', 'rotate', 'json-file', '--new-name', 'json-file-2', '--output-file', file, '-t', 'json']);
    await until('the create request', () => server().count(create) > 0, { child: running });
    // The file's place is taken by a directory before the token comes back: the rename fails.
    mkdirSync(file);
    answer();
    const res = await running;
    assert.equal(res.code, 2, res.stderr);
    const out = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.equal('output_file' in out, false, res.stdout);
    assert.equal('token' in out, false, 'the secret was meant for the file, not stdout');
    assert.equal(out.deleted, null);
    assert.match((JSON.parse(res.stderr) as { message: string }).message, /^the new token could not be written to /);
    assert.equal(await patWorks(old), true, 'the old token was kept');
  });
});

describe('Ctrl-C after the create leaves a token stored and usable, and says which', () => {
  it('in place, -t json, during the login switch: the JSON is printed and the login holds the new token', async () => {
    const { osmo, dir } = newUser();
    const oldPat = await tokenLogin(server(), osmo, USER, 'json-interrupt');
    server().fault({ route: EXCHANGE, delayMs: 20_000 });
    const exchanges = server().count(EXCHANGE);
    const child = spawn(process.execPath, [OSMO_BIN, 'token', 'rotate', 'json-interrupt', '-e', futureDate(9), '-t', 'json'], { env: baseEnv(dir) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await until('the exchange of the new token', () => server().count(EXCHANGE) > exchanges, { child: closed, detail: () => stderr });
    child.kill('SIGINT');
    assert.equal(await closed, 'SIGINT', stderr);
    const out = JSON.parse(stdout) as { token: string; token_name: string; deleted: string };
    assert.deepEqual([out.token_name, out.deleted], ['json-interrupt', 'json-interrupt']);
    assert.equal(await patWorks(out.token), true);
    assert.equal(await patWorks(oldPat), false);
    assert.equal(stderr, `\nInterrupted\nError: stopped after the new token json-interrupt was created; it is in the JSON above; the login for ${server().url} holds it and works\n`);
    // Stored and usable: the next command exchanges the new PAT.
    assert.ok(readTree(dir).includes(out.token));
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
  });

  it('to a new name, during the login switch: the old token is still stored and works', async () => {
    const { osmo, dir } = newUser();
    const oldPat = await tokenLogin(server(), osmo, USER, 'rename-interrupt');
    const file = `${tempDir()}/token`;
    server().fault({ route: EXCHANGE, delayMs: 20_000 });
    const exchanges = server().count(EXCHANGE);
    const child = spawn(process.execPath, [OSMO_BIN, 'token', 'rotate', 'rename-interrupt', '--new-name', 'rename-interrupt-2', '--output-file', file], { env: baseEnv(dir) });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await until('the exchange of the new token', () => server().count(EXCHANGE) > exchanges, { child: closed, detail: () => stderr });
    child.kill('SIGINT');
    assert.equal(await closed, 'SIGINT', stderr);
    assert.match(stderr, new RegExp(`Error: stopped after the new token rename-interrupt-2 was created; it is in ${file}; the login for \\S+ still uses rename-interrupt: log in with the new one \\(osmo login \\S+ --method token --token-file ${file}\\); rename-interrupt may not be deleted yet`));
    assert.equal(await patWorks(oldPat), true);
    assert.equal(await patWorks(readFileSync(file, 'utf8').trim()), true);
    assert.ok(readTree(dir).includes(oldPat));
  });
});

describe('--output-file leaves no PAT in a temporary file', () => {
  it('a leftover of a killed write beside the target is swept by the next write there', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', USER]);
    server().issuePat(USER, 'sweep-me', { roles: ['osmo-user'] });
    const dir = tempDir();
    // What a rotate killed between its write and its rename left: the PAT in a temporary file.
    const leftover = `${dir}/.token.osmo-0123456789ab.tmp`;
    writeFileSync(leftover, 'osmo_leaked_pat\n', { mode: 0o600 });
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(leftover, old, old);
    const unrelated = `${dir}/.0123456789ab.tmp`;
    writeFileSync(unrelated, 'not osmo\'s');
    utimesSync(unrelated, old, old);
    const res = await osmo(['token', 'rotate', 'sweep-me', '--output-file', `${dir}/token`]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['.0123456789ab.tmp', 'token'], 'the leftover went; nothing else was touched');
  });

  it('a rotate that fails before the write removes its temporary file', async () => {
    const { osmo, dir: configDir } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', USER]);
    const dir = tempDir();
    // Through bin/osmo: the temporary file goes when the process exits.
    const res = await runOsmo(['token', 'rotate', 'no-such-token', '--output-file', `${dir}/token`], configDir);
    assert.equal(res.code, 2, res.stderr);
    assert.deepEqual(readdirSync(dir), []);
    rmSync(dir, { recursive: true });
  });
});
