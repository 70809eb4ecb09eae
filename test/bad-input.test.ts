// The bad-input matrix: every input osmo can check on its own. Each row must
// exit 2 with one clear `Error:` line and no stack trace, send no request
// (the local server records every request), and leave the config directory
// byte-for-byte as it was. Rows run in-process (test/helpers/in-process.ts);
// the success row and the rows run as another user go through bin/osmo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { baseEnv, hashTree, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { stagedForOtherUsers } from './helpers/other-user.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { futureDate } from './helpers/fixtures.js';
import { runInProcess } from './helpers/in-process.js';
import { writeState } from '../src/config/state.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

interface RowContext {
  url: string;
  server: OsmoServer;
  /** Token files in a directory others may enter. */
  files: { empty: string; blank: string; unreadable: string; missing: string; directory: string; valid: string };
}

interface Row {
  name: string;
  args: (c: RowContext) => string[];
  /** Error text after `Error: `; omitted for the success row. */
  message?: RegExp;
  /** 'dev' (default): a developer login exists first; 'none': a config directory that does not exist yet. */
  setup?: 'dev' | 'none';
  env?: Record<string, string>;
  input?: string;
  /** Run as another user, so that a mode-000 file is unreadable even when the tests run as root. */
  asOtherUser?: boolean;
  /** The success row: what to check instead. */
  succeeds?: (c: RowContext, res: RunResult, osmo: (args: string[]) => Promise<RunResult>) => Promise<void>;
}

const yesterday = futureDate(-1);
const today = futureDate(0);
const INVALID_NAME = /^invalid token name ".*": use letters, digits, "-" and "_"/;
const INVALID_DATE = /^invalid --expires-at ".*": expected a calendar date YYYY-MM-DD$/;
const INVALID_DURATION = /^invalid --expires-in ".*": expected a whole number and a unit: d \(days\), w \(weeks\), m \(months\) or y \(years\)$/;
const NOT_FUTURE = /^--expires-at \d{4}-\d{2}-\d{2} is not in the future \(today is \d{4}-\d{2}-\d{2} UTC\)$/;
const NOT_LOGGED_IN = /^you are not logged in/;
const INVALID_USER_ID = /^invalid user ID ".*": use letters, digits, "\.", "_", "@" and "-", starting and ending with a letter or digit$/;
const dev = ['--method', 'dev', '--username', 'user@example.com'];
const tokenLogin = (c: RowContext, ...rest: string[]): string[] => ['login', c.url, '--method', 'token', ...rest];

const rows: Row[] = [
  // token names
  { name: 'token name starting with a digit (9bad)', args: () => ['token', 'set', '9bad'], message: INVALID_NAME },
  { name: 'token name ending with a dash (a-)', args: () => ['token', 'set', 'a-'], message: INVALID_NAME },
  { name: 'empty token name', args: () => ['token', 'set', ''], message: INVALID_NAME },
  { name: 'token name of 300 characters', args: () => ['token', 'set', `a${'b'.repeat(299)}`], message: /^invalid token name "ab{39}\.\.\."/ },
  { name: 'unicode token name (tökén)', args: () => ['token', 'set', 'tökén'], message: INVALID_NAME },
  { name: 'token name with a slash, for roles', args: () => ['token', 'roles', 'a/../b'], message: INVALID_NAME },
  { name: 'token name with a space, for delete', args: () => ['token', 'delete', 'my token'], message: INVALID_NAME },
  // dates
  { name: 'date that does not exist (2027-02-30)', args: () => ['token', 'set', 'ok', '-e', '2027-02-30'], message: INVALID_DATE },
  { name: 'date in the past (yesterday)', args: () => ['token', 'set', 'ok', '-e', yesterday], message: NOT_FUTURE },
  { name: 'date today', args: () => ['token', 'set', 'ok', '--expires-at', today], message: NOT_FUTURE },
  { name: 'date as 01/02/2027', args: () => ['token', 'set', 'ok', '-e', '01/02/2027'], message: INVALID_DATE },
  { name: 'date without zero padding (2027-1-1)', args: () => ['token', 'set', 'ok', '-e', '2027-1-1'], message: INVALID_DATE },
  { name: 'date with month 13', args: () => ['token', 'set', 'ok', '-e', '2027-13-01'], message: INVALID_DATE },
  { name: 'date with a time (2027-01-01T00:00)', args: () => ['token', 'set', 'ok', '-e', '2027-01-01T00:00'], message: INVALID_DATE },
  // relative expiry and the token file
  { name: '--expires-in without a unit (30)', args: () => ['token', 'set', 'ok', '--expires-in', '30'], message: INVALID_DURATION },
  { name: '--expires-in with an unknown unit (30x)', args: () => ['token', 'set', 'ok', '--expires-in', '30x'], message: INVALID_DURATION },
  { name: '--expires-in negative (-5d)', args: () => ['token', 'set', 'ok', '--expires-in=-5d'], message: INVALID_DURATION },
  { name: '--expires-in with a fraction (1.5y)', args: () => ['token', 'rotate', 'ok', '--expires-in', '1.5y'], message: INVALID_DURATION },
  { name: '--expires-in 0d names the date it gives', args: () => ['token', 'set', 'ok', '--expires-in', '0d'], message: new RegExp(`^--expires-in 0d gives ${today}, which is not in the future \\(today is ${today} UTC\\)$`) },
  { name: '--expires-in past 9999-12-31', args: () => ['token', 'rotate', 'ok', '--expires-in', '99999y'], message: /^--expires-in 99999y ends after 9999-12-31$/ },
  { name: '--expires-at together with --expires-in', args: () => ['token', 'set', 'ok', '-e', futureDate(10), '--expires-in', '30d'], message: /^--expires-at and --expires-in cannot be used together$/ },
  { name: 'bad --expiring-within (soon)', args: () => ['token', 'list', '--expiring-within', 'soon'], message: /^invalid --expiring-within "soon": expected a whole number and a unit/ },
  { name: '--output-file in a missing directory', args: (c) => ['token', 'set', 'ok', '--output-file', `${c.files.missing}/token`], message: /^cannot write --output-file .*\/no-such-file\/token: no such directory / },
  { name: '--output-file that is a directory', args: (c) => ['token', 'rotate', 'ok', '--output-file', c.files.directory], message: /^--output-file .* is a directory$/ },
  { name: 'rotate with an invalid --new-name', args: () => ['token', 'rotate', 'ok', '--new-name', '9bad'], message: INVALID_NAME },
  { name: 'rotate an invalid token name', args: () => ['token', 'rotate', 'a/../b'], message: INVALID_NAME },
  { name: 'missing token name (token rotate)', args: () => ['token', 'rotate'], message: /^missing required argument 'name'$/ },
  { name: 'one -r value and no name (token set -r osmo-user)', args: () => ['token', 'set', '-r', 'osmo-user'], message: /^missing required argument 'name'$/ },
  // --user values that URL normalisation would resolve away
  { name: 'user "..", for delete', args: () => ['token', 'delete', 'ok', '-u', '..'], message: /^invalid --user "\.\.": not a user name$/ },
  { name: 'user ".", for list', args: () => ['token', 'list', '--user', '.'], message: /^invalid --user "\.": not a user name$/ },
  { name: 'user " .. " (trimmed), for rotate', args: () => ['token', 'rotate', 'ok', '-u', ' .. '], message: /^invalid --user "\.\.": not a user name$/ },
  // osmo user: IDs as the service's rule allows them, and what needs no request to refuse
  { name: 'user ID with a space (user create)', args: () => ['user', 'create', 'svc automation'], message: INVALID_USER_ID },
  { name: 'user ID ending with a dash (user get)', args: () => ['user', 'get', 'svc-'], message: INVALID_USER_ID },
  { name: 'user ID "..", for user delete --force', args: () => ['user', 'delete', '..', '--force'], message: INVALID_USER_ID },
  { name: 'user ID with a slash (user roles add)', args: () => ['user', 'roles', 'add', 'a/b', 'osmo-user'], message: INVALID_USER_ID },
  { name: 'user update with nothing to do', args: () => ['user', 'update', 'svc-automation'], message: /^No updates specified\. Use --add-roles or --remove-roles\.$/ },
  { name: 'user delete without a terminal or --force', args: () => ['user', 'delete', 'svc-automation'], input: 'y\n', message: /^not deleting user svc-automation without confirmation, and there is no terminal to ask on$/ },
  { name: 'user list --count 0', args: () => ['user', 'list', '--count', '0'], message: /^invalid --count "0": expected a whole number of users, 1 or more$/ },
  { name: 'user list with an empty --id-prefix', args: () => ['user', 'list', '--id-prefix', ''], message: /^--id-prefix needs a prefix$/ },
  { name: 'one -r value and no ID (user create -r osmo-user)', args: () => ['user', 'create', '-r', 'osmo-user'], message: /^missing required argument 'id'$/ },
  // server URLs
  { name: 'login URL that is not a URL (not-a-url)', args: () => ['login', 'not-a-url', ...dev], message: /^"not-a-url" is not a server URL$/ },
  { name: 'login URL with scheme ftp://x', args: () => ['login', 'ftp://x', ...dev], message: /^unsupported URL scheme "ftp"/ },
  { name: 'login URL without a scheme that is no host name (osmo example)', args: () => ['login', 'osmo example', ...dev], message: /^"osmo example" is not a server URL$/ },
  { name: 'login URL without a host (https://)', args: () => ['login', 'https://', ...dev], message: /^"https:\/\/" is not a valid URL$/ },
  { name: 'login URL with a password in it', args: () => ['login', 'https://bob:secret@osmo.example.com', ...dev], message: /^the server URL must not contain a user name or password$/ },
  { name: 'login URL with a query', args: () => ['login', 'https://osmo.example.com/?tenant=1', ...dev], message: /^the server URL must not contain a query or fragment/ },
  {
    name: 'login URL with trailing slashes is normalised (success row)',
    args: (c) => ['login', `${c.url}///`, ...dev],
    succeeds: async (c, res, osmo) => {
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `Logging in to ${c.url}\nSuccessfully logged in. Welcome user@example.com.\n`);
      assert.equal(res.stderr, '');
      // The stored URL has no slash left: the login's developer-mode check and
      // the next request go to /api/..., not ////api/...
      const list = await osmo(['token', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(c.server.requests.filter((r) => !r.path.startsWith('/row-')).map((r) => `${r.method} ${r.path}`), ['GET /api/auth/access_token', 'GET /api/auth/access_token']);
    },
  },
  // flags and arguments
  { name: 'unknown flag on a command (token list --bogus)', args: () => ['token', 'list', '--bogus'], message: /^unknown option '--bogus'$/ },
  { name: 'unknown global flag (--bogus)', args: () => ['--bogus'], message: /^unknown option '--bogus'$/ },
  { name: 'misspelt flag (login --tokn)', args: (c) => ['login', c.url, '--tokn', 'x'], message: /^unknown option '--tokn'$/ },
  { name: 'unknown command (frobnicate)', args: () => ['frobnicate'], message: /^unknown command 'frobnicate'$/ },
  { name: 'misspelt subcommand (token sett)', args: () => ['token', 'sett', 'x'], message: /^unknown command 'sett'$/ },
  { name: 'unknown login method (--method bogus)', args: (c) => ['login', c.url, '--method', 'bogus'], message: /^option '--method <method>' argument 'bogus' is invalid/ },
  { name: 'bad -t value (token list -t yaml)', args: () => ['token', 'list', '-t', 'yaml'], message: /^option '-t, --format-type <type>' argument 'yaml' is invalid/ },
  { name: 'bad --callback-port', args: (c) => ['login', c.url, '--callback-port', '99999'], message: /--callback-port "99999"|argument '99999' is invalid/ },
  { name: 'missing token name (token set)', args: () => ['token', 'set'], message: /^missing required argument 'name'$/ },
  { name: 'missing token name (token roles)', args: () => ['token', 'roles'], message: /^missing required argument 'name'$/ },
  { name: 'missing token name (token delete)', args: () => ['token', 'delete'], message: /^missing required argument 'name'$/ },
  { name: 'missing value for --expires-at', args: () => ['token', 'set', 'ok', '-e'], message: /^option '-e, --expires-at <date>' argument missing$/ },
  { name: 'missing value for --token-file', args: (c) => tokenLogin(c, '--token-file'), message: /^option '--token-file <file>' argument missing$/ },
  { name: 'extra argument (token list extra)', args: () => ['token', 'list', 'extra'], message: /^too many arguments for 'list'/ },
  { name: 'dev login without --username', args: (c) => ['login', c.url, '--method', 'dev'], message: /^--method dev needs --username$/ },
  { name: 'empty role (-r "")', args: () => ['token', 'set', 'ok', '-r', ''], message: /^empty role name in --roles$/ },
  { name: 'blank user (-u " ")', args: () => ['token', 'list', '-u', ' '], message: /^--user needs a user name$/ },
  // token sources
  { name: 'empty --token-file', args: (c) => tokenLogin(c, '--token-file', c.files.empty), message: /^--token-file .* is empty$/ },
  { name: '--token-file holding only white space', args: (c) => tokenLogin(c, '--token-file', c.files.blank), message: /^--token-file .* is empty$/ },
  { name: 'unreadable --token-file (mode 000)', args: (c) => tokenLogin(c, '--token-file', c.files.unreadable), message: /^cannot read --token-file .*: permission denied$/, setup: 'none', asOtherUser: true },
  { name: 'missing --token-file', args: (c) => tokenLogin(c, '--token-file', c.files.missing), message: /^cannot read --token-file .*: no such file$/ },
  { name: 'a directory as --token-file', args: (c) => tokenLogin(c, '--token-file', c.files.directory), message: /^cannot read --token-file .*: it is a directory$/ },
  { name: '--token together with --token-file', args: (c) => tokenLogin(c, '--token', 'abcdefgh', '--token-file', c.files.valid), message: /^--token and --token-file cannot be used together$/ },
  { name: '--token-file together with --token-stdin', args: (c) => tokenLogin(c, '--token-file', c.files.valid, '--token-stdin'), message: /^--token-file and --token-stdin cannot be used together$/ },
  { name: '--token-stdin with empty stdin', args: (c) => tokenLogin(c, '--token-stdin'), input: '', message: /^the access token from standard input is empty$/ },
  { name: '--token-stdin with only white space', args: (c) => tokenLogin(c, '--token-stdin'), input: ' \n\t\r\n', message: /^the access token from standard input is empty$/ },
  { name: 'empty --token', args: (c) => tokenLogin(c, '--token', '  '), message: /^the access token from --token is empty$/ },
  // before any login
  { name: 'token list before any login', setup: 'none', args: () => ['token', 'list'], message: NOT_LOGGED_IN },
  { name: 'token set before any login', setup: 'none', args: () => ['token', 'set', 'ok'], message: NOT_LOGGED_IN },
  { name: 'token roles before any login', setup: 'none', args: () => ['token', 'roles', 'ok'], message: NOT_LOGGED_IN },
  { name: 'token delete before any login', setup: 'none', args: () => ['token', 'delete', 'ok'], message: NOT_LOGGED_IN },
  { name: 'logout of a URL and --all at once', args: (c) => ['logout', c.url, '--all'], message: /^give a server URL or --all, not both$/ },
  { name: 'logout of a word that is no host name', args: () => ['logout', 'osmo'], message: /^"osmo" is not a server URL$/ },
  { name: 'switch to a server without a login', args: () => ['switch', 'https://elsewhere.example.com'], message: /^no stored login for https:\/\/elsewhere\.example\.com$/ },
  { name: 'switch with only one login stored', args: () => ['switch'], message: /is your only stored login; there is nothing to switch to$/ },
  { name: 'status of a server without a login', args: () => ['status', 'https://elsewhere.example.com'], message: /^no stored login for https:\/\/elsewhere\.example\.com$/ },
  { name: 'status before any login', setup: 'none', args: () => ['status', '--offline'], message: NOT_LOGGED_IN },
  { name: 'login without a URL before any login', setup: 'none', args: () => ['login', ...dev], message: /^no server URL given and no earlier login to reuse$/ },
  { name: 'OSMO_TOKEN without OSMO_URL', setup: 'none', args: () => ['token', 'list'], env: { OSMO_TOKEN: 'abcdefgh' }, message: /^OSMO_TOKEN is set but OSMO_URL is not$/ },
  { name: 'OSMO_URL that is not a URL', setup: 'none', args: () => ['token', 'list'], env: { OSMO_TOKEN: 'abcdefgh', OSMO_URL: 'osmo' }, message: /is not a server URL$/ },
  // environment
  { name: 'OSMO_HTTP_TIMEOUT=abc', args: () => ['token', 'list'], env: { OSMO_HTTP_TIMEOUT: 'abc' }, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to 2147483 \(about 24 days\), not "abc"$/ },
  { name: 'OSMO_HTTP_TIMEOUT=0', args: () => ['token', 'list'], env: { OSMO_HTTP_TIMEOUT: '0' }, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to 2147483 \(about 24 days\), not "0"$/ },
  { name: 'OSMO_HTTP_TIMEOUT=-5 on token set', args: () => ['token', 'set', 'ok'], env: { OSMO_HTTP_TIMEOUT: '-5' }, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to 2147483 \(about 24 days\), not "-5"$/ },
  // Node clamps a timer beyond 2^31-1 ms to 1 ms: every request would time out at once.
  { name: 'OSMO_HTTP_TIMEOUT=3000000 (beyond a timer)', args: () => ['token', 'list'], env: { OSMO_HTTP_TIMEOUT: '3000000' }, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to 2147483 \(about 24 days\), not "3000000"$/ },
  { name: 'OSMO_HTTP_TIMEOUT=0.0001 (below a timer tick)', args: () => ['whoami'], env: { OSMO_HTTP_TIMEOUT: '0.0001' }, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to 2147483 \(about 24 days\), not "0.0001"$/ },
  { name: 'OSMO_CREDENTIAL_STORE=vault at token list', args: () => ['token', 'list'], env: { OSMO_CREDENTIAL_STORE: 'vault' }, message: /^OSMO_CREDENTIAL_STORE must be "keychain" or "file", not "vault"$/ },
  { name: 'OSMO_CREDENTIAL_STORE=vault at a token login', args: (c) => tokenLogin(c, '--token-file', c.files.valid), env: { OSMO_CREDENTIAL_STORE: 'vault' }, message: /^OSMO_CREDENTIAL_STORE must be "keychain" or "file", not "vault"$/ },
];

/** Token files in a directory other users may enter, owned by whoever runs the tests. */
function tokenFiles(validPat: string): RowContext['files'] {
  const dir = tempDir('osmo-bad-input-');
  chmodSync(dir, 0o755);
  const file = (name: string, content: string, mode = 0o600): string => {
    writeFileSync(join(dir, name), content, { mode });
    chmodSync(join(dir, name), mode);
    return join(dir, name);
  };
  const directory = join(dir, 'a-directory');
  mkdirSync(directory);
  return {
    empty: file('empty', ''),
    blank: file('blank', '  \n\t\n\r\n'),
    unreadable: file('unreadable', `${validPat}\n`, 0o000),
    missing: join(dir, 'no-such-file'),
    directory,
    valid: file('valid', `${validPat}\n`),
  };
}

/** runOsmo, but as `nobody` when the tests run as root (root reads any file), from a copy that nobody can read. */
function runAsOtherUser(args: string[], configDir: string): Promise<RunResult> {
  const { node, osmo } = stagedForOtherUsers();
  return new Promise((resolve, reject) => {
    const child = spawn(node, [osmo, ...args], { env: baseEnv(configDir), uid: NOBODY, gid: NOBODY, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end();
  });
}

describe('bad input: exit 2, one Error line, no request, config directory unchanged', { concurrency: 4 }, () => {
  // One server for the matrix; each row talks to its own path prefix, so a
  // request sent by mistake is attributed to the row that sent it.
  let server: OsmoServer;
  let pat = '';
  before(async () => {
    server = await startOsmoServer();
    pat = server.issuePat('user@example.com', 'valid-token');
  });
  after(async () => {
    await server.close();
    // Only the success row may have reached the server: its login's check and one `token list`.
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/auth/access_token', 'GET /api/auth/access_token']);
  });

  rows.forEach((row, i) => {
    it(row.name, async () => {
      const prefix = `/row-${i}`;
      const url = row.succeeds ? server.url : `${server.url}${prefix}`;
      const c: RowContext = { url, server, files: tokenFiles(pat) };
      const setup = row.setup ?? 'dev';
      const dir = setup === 'none' ? join(tempDir(), 'osmo') : tempDir();
      // What `osmo login URL --method dev` leaves behind (it sends no request).
      if (setup === 'dev') writeState(dir, { version: 1, current: url, servers: { [url]: { method: 'dev', username: 'user@example.com' } } });
      if (row.asOtherUser && asRoot) {
        chmodSync(join(dir, '..'), 0o755);
        mkdirSync(dir, { mode: 0o700 });
        chownSync(dir, NOBODY, NOBODY);
      }
      const run = row.succeeds ? runOsmo : runInProcess;
      const osmo = (args: string[]): Promise<RunResult> => run(args, dir, { env: row.env, input: row.input });
      const hashBefore = hashTree(dir);
      const existed = existsSync(dir);

      const res = row.asOtherUser && asRoot ? await runAsOtherUser(row.args(c), dir) : await osmo(row.args(c));

      if (row.succeeds) return row.succeeds(c, res, osmo);
      const sent = server.requests.filter((r) => r.path.startsWith(`${prefix}/`) || r.path === prefix);
      assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), [], 'no request');
      assertCleanFailure(res, { code: 2, message: row.message! });
      assert.equal(res.stdout, '', 'nothing on stdout');
      assert.equal(hashTree(dir), hashBefore, 'config directory unchanged');
      assert.equal(existsSync(dir), existed, 'no config directory created');
    });
  });
});
