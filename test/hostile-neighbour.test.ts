// A hostile neighbour: another local user, and what a killed process or a
// stray file leaves in the config directory. Findings 1, 6 and 8 of issue 13.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCHANGE, LIST, newUser, tokenLogin, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { hashTree, readTree, runOsmo, tempDir } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { startHttpServer } from './helpers/fault-servers.js';
import { otherUser } from './helpers/other-user.js';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';

const SLOW_LOCK_REMOVAL = fileURLToPath(new URL('./helpers/slow-lock-removal.cjs', import.meta.url));

// Finding 1 counts every request to its server: finding 6, running beside it, has its own.
const server = useServer();
const sweepServer = useServer();

interface Stored {
  servers: Record<string, Record<string, unknown>>;
}

/** A password login whose ID token is already stale for the client (it lives 20 s; renewal starts 30 s before expiry): the next command renews it. */
async function passwordLoginDueForRenewal(dir: string): Promise<void> {
  server().oauth.setPassword('svc@example.com', 'correct horse battery');
  await withJwtLifetime(server(), 20, async () => {
    const res = await runInProcess(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password', 'correct horse battery'], dir);
    assert.equal(res.code, 0, res.stderr);
  });
}

// The three findings run side by side, and the lock cases of finding 8 three at
// a time: most of their time is spent waiting (a lock held 16 s, a renewal of
// 8 s, a takeover guard of 5 s), so each lock case has a server of its own.
describe('a hostile neighbour', { concurrency: true }, () => {
  describe('finding 1: a config directory or state file that another user controls is refused', { concurrency: 1 }, () => {
    it('a forged config.json in a directory another user made world-writable never gets the refresh token', async (t) => {
      const neighbour = otherUser(t);
      if (!neighbour) return;
      // The neighbour's "token endpoint": whatever reaches it is stolen.
      const stolen: string[] = [];
      const listener = await startHttpServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          stolen.push(body);
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        });
      });
      try {
        // The victim's login, with the refresh token due for use...
        const own = tempDir();
        await passwordLoginDueForRenewal(own);
        // ...kept in a directory the neighbour created world-writable (OSMO_CONFIG_DIR=/tmp/shared).
        const shared = neighbour.ownDir(0o777);
        copyFileSync(join(own, 'credentials.json'), join(shared, 'credentials.json'));
        const forged = JSON.parse(readFileSync(join(own, 'config.json'), 'utf8')) as Stored;
        forged.servers[server().url]!.tokenEndpoint = `${listener.url}/token`;
        neighbour.sh(`printf '%s' "$CONFIG" > ${shared}/config.json.new && mv ${shared}/config.json.new ${shared}/config.json`, { CONFIG: JSON.stringify(forged) });
        const hashBefore = hashTree(shared);
        const listsBefore = server().count(LIST);

        const res = await runOsmo(['token', 'list'], shared);

        assertCleanFailure(res, { code: 2, message: new RegExp(`^the config directory ${shared} belongs to another user \\(uid ${neighbour.uid}\\), so osmo will not trust it$`) });
        assert.match(res.stderr, /\n {2}use a config directory of your own \(OSMO_CONFIG_DIR\)/);
        assert.deepEqual(stolen, [], 'nothing reached the forged token endpoint');
        assert.equal(server().count(LIST), listsBefore);
        assert.equal(hashTree(shared), hashBefore);
      } finally {
        await listener.close();
      }
    });

    it('a login into a directory another user owns is refused before anything is sent or written', async (t) => {
      const neighbour = otherUser(t);
      if (!neighbour) return;
      const shared = neighbour.ownDir(0o755);
      const before = server().count();
      const res = await runOsmo(['login', server().url, '--method', 'token', '--token', server().issuePat('user@example.com', 'not-sent')], shared);
      assertCleanFailure(res, { code: 2, message: /^the config directory .* belongs to another user/ });
      assert.equal(server().count(), before, 'no request');
      assert.deepEqual(readdirSync(shared), []);
    });

    it('credentials.json owned by another user or open to others is refused; whoami claims privacy only after checking', async (t) => {
      const { osmo, setUp, dir } = newUser();
      await tokenLogin(server(), setUp, 'user@example.com', 'private-file');
      const creds = join(dir, 'credentials.json');
      const ok = await osmo(['whoami']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(ok.stdout.includes(`${creds} (readable only by you)`), ok.stdout);

      chmodSync(creds, 0o644);
      // `logout` is the exception: it removes such a file, and says so (test/wrong-server.test.ts).
      for (const args of [['whoami'], ['token', 'list']]) {
        const res = await osmo(args);
        assertCleanFailure(res, { code: 2, message: new RegExp(`^${creds} holds secrets but is open to group and others \\(mode 644\\)$`) });
        assert.match(res.stderr, new RegExp(`\\n {2}run \`chmod 600 ${creds}\``));
        assert.equal(res.stdout, '', 'no claim that the file is private');
      }
      chmodSync(creds, 0o640);
      assertCleanFailure(await osmo(['whoami']), { code: 2, message: /is open to its group \(mode 640\)$/ });

      const neighbour = otherUser(t);
      if (!neighbour) return;
      chmodSync(creds, 0o600);
      chownSync(creds, neighbour.uid, neighbour.gid);
      const planted = await osmo(['whoami']);
      assertCleanFailure(planted, { code: 2, message: new RegExp(`^${creds} belongs to another user \\(uid ${neighbour.uid}\\)`) });
      assert.equal(planted.stdout, '');
    });

    it('a config directory writable by its group, or a config.json writable by others, is refused with the chmod that fixes it', async () => {
      const { osmo, setUp, dir } = newUser();
      await tokenLogin(server(), setUp, 'user@example.com', 'loose-modes');
      chmodSync(dir, 0o770);
      const loose = await osmo(['token', 'list']);
      assertCleanFailure(loose, { code: 2, message: new RegExp(`^the config directory ${dir} is writable by its group \\(mode 770\\), so they could replace its files$`) });
      assert.match(loose.stderr, new RegExp(`\\n {2}run \`chmod 700 ${dir}\`\\n$`));
      chmodSync(dir, 0o700);
      chmodSync(join(dir, 'config.json'), 0o666);
      assertCleanFailure(await osmo(['token', 'list']), { code: 2, message: /config\.json is writable by group and others \(mode 666\)$/ });
      chmodSync(join(dir, 'config.json'), 0o644); // readable is fine: it holds no secret
      assert.equal((await osmo(['token', 'list'])).code, 0);
    });
  });

  describe('finding 6: temporary files left by a killed write are swept', { concurrency: 1 }, () => {
    /** What a write killed between its fsync and its rename leaves: `.<12 hex>.tmp`, mode 0600, with the secrets in it. */
    function leftover(dir: string, name: string, ageMs: number): string {
      const path = join(dir, name);
      writeFileSync(path, readFileSync(join(dir, 'credentials.json')), { mode: 0o600 });
      const at = new Date(Date.now() - ageMs);
      utimesSync(path, at, at);
      return path;
    }

    it('logout removes the leftovers holding the PAT, and keeps a write in progress', async () => {
      const { osmo, setUp, dir } = newUser();
      const pat = await tokenLogin(sweepServer(), setUp, 'user@example.com', 'leftover-logout');
      const old = leftover(dir, '.0a1b2c3d4e5f.tmp', 60_000);
      const inProgress = join(dir, '.ffffffffffff.tmp');
      writeFileSync(inProgress, '{}', { mode: 0o600 });
      const other = join(dir, 'notes.tmp'); // not ours: never touched
      writeFileSync(other, 'x');
      utimesSync(other, new Date(0), new Date(0));

      const res = await osmo(['logout']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(existsSync(old), false, 'the leftover is gone');
      assert.ok(existsSync(inProgress) && existsSync(other));
      assert.ok(!readTree(dir).includes(pat), 'the PAT is nowhere in the config directory');
    });

    it('the next write removes them too', async () => {
      const { osmo, setUp, dir } = newUser();
      await tokenLogin(sweepServer(), setUp, 'user@example.com', 'leftover-write');
      const old = leftover(dir, '.00112233aabb.tmp', 30_000);
      await tokenLogin(sweepServer(), osmo, 'user@example.com', 'leftover-write-2');
      assert.equal(existsSync(old), false);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    });
  });

  describe('finding 8: the renewal lock', { concurrency: 3 }, () => {
    /**
     * A token login whose JWT is always inside the refresh margin, so every
     * command renews under the lock; on a server of the test's own, whose
     * exchanges it counts and whose faults it sets while the others run.
     */
    async function alwaysRenewing(t: TestContext, name: string): Promise<ReturnType<typeof newUser> & { srv: OsmoServer }> {
      const srv = await startOsmoServer();
      t.after(() => srv.close());
      const user = newUser();
      await withJwtLifetime(srv, 5, async () => {
        await tokenLogin(srv, user.setUp, 'user@example.com', name);
      });
      return { ...user, srv };
    }

    /** The pid of a process that has ended. Not spawnSync: that would stop this process, and the servers of the cases beside it, for a Node start-up. */
    async function deadPid(): Promise<number> {
      const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      await once(child, 'close');
      return child.pid!;
    }

    /**
     * Moves the mtime of the lock the test made every 500 ms, as a live holder
     * does, so that proper-lockfile's rule (stale after 5 s without a move)
     * never applies to it; stops once the lock is no longer that one (osmo took
     * it over). Returns a stop function that gives the longest time the lock
     * went without a move, from its making to the last tick.
     */
    function keepFresh(lock: string): () => number {
      let made = lstatSync(lock);
      let moved = Date.now();
      let longest = 0;
      const tick = (): void => {
        const now = Date.now();
        longest = Math.max(longest, now - moved);
        try {
          const st = lstatSync(lock);
          if (st.ino !== made.ino || st.mtimeMs !== made.mtimeMs) return halt(); // osmo's own lock: not ours to touch
          utimesSync(lock, new Date(now), new Date(now));
          made = lstatSync(lock);
          moved = now;
        } catch {
          halt(); // gone: taken over
        }
      };
      let active = true;
      const timer = setInterval(tick, 500);
      const halt = (): void => {
        active = false;
        clearInterval(timer);
      };
      return () => {
        if (active) longest = Math.max(longest, Date.now() - moved);
        halt();
        return longest;
      };
    }

    // The longest waits first, so that the shorter cases run beside them; the
    // racing takeovers (seven processes each) last, once the slow renewal,
    // which must finish within OSMO_HTTP_TIMEOUT, is done.
    it('a lock a live process keeps holding: the error names the holder, the lock and how to clear it', { timeout: 60_000 }, async (t) => {
      const { osmo, dir } = await alwaysRenewing(t, 'held-lock');
      const lock = join(dir, 'state.lock');
      // A live process (this test) holds it and keeps it fresh, as a hung osmo would.
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${process.pid} ${hostname()}\n`);
      const keepFresh = setInterval(() => utimesSync(lock, new Date(), new Date()), 1000);
      try {
        const started = Date.now();
        const res = await osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '1' }, timeoutMs: 40_000 });
        const ms = Date.now() - started;
        assertCleanFailure(res, { code: 2, message: new RegExp(`^osmo process ${process.pid} has held ${lock} for more than 16 s$`) });
        assert.match(res.stderr, new RegExp(`\\n {2}if no osmo process is running, delete it: rm -r ${lock}\\n$`));
        assert.ok(ms >= 15_000, `gave up after ${ms} ms, before OSMO_HTTP_TIMEOUT plus the margin`);
      } finally {
        clearInterval(keepFresh);
      }
    });

    it('a takeover guard left by a process killed while taking over blocks the takeover for 5 s only', { timeout: 60_000 }, async (t) => {
      const { osmo, dir, srv } = await alwaysRenewing(t, 'guard-left-behind');
      const lock = join(dir, 'state.lock');
      const dead = await deadPid();
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${dead} ${hostname()}\n`);
      mkdirSync(`${lock}.takeover`);
      const before = srv.count(EXCHANGE);
      const started = Date.now();
      const res = await osmo(['token', 'list'], { timeoutMs: 40_000 });
      const ms = Date.now() - started;
      assert.equal(res.code, 0, res.stderr);
      assert.equal(srv.count(EXCHANGE), before + 1);
      assert.ok(ms >= 4_000 && ms < 12_000, `took ${ms} ms`);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('state.lock')), [], 'lock and guard are gone');
    });

    it('parallel commands wait out a slow but healthy renewal, held past the stale limit, instead of failing', { timeout: 60_000 }, async (t) => {
      const { osmo, srv } = await alwaysRenewing(t, 'slow-renewal');
      // The exchange takes 8 s: longer than the 5 s after which an unmoved lock
      // is stale (the holder must keep it fresh) and than any fixed short wait,
      // yet within OSMO_HTTP_TIMEOUT=10, so the renewal is healthy. The waiters
      // wait up to 10 + 15 s (src/config/lock.ts).
      srv.fault({ route: EXCHANGE, delayMs: 8_000 });
      const before = srv.count(EXCHANGE);
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 4 }, () => osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '10' }, timeoutMs: 40_000 })));
      const ms = Date.now() - started;
      for (const res of results) assert.equal(res.code, 0, res.stderr);
      // The first renewal took 8 s; the JWT it brought lives 300 s, so the others used it, none took the lock over.
      assert.equal(srv.count(EXCHANGE), before + 1);
      assert.ok(ms >= 8_000, `done after ${ms} ms: the slow exchange was not waited for`);
    });

    // `fresh`: the lock's mtime moves as a live holder's would, so that only
    // osmo seeing it as abandoned, not its age, can explain a takeover. The one
    // dated in 2100 is never stale by age.
    const shapes: Array<{ name: string; fresh: boolean; make: (lock: string) => void | Promise<void> }> = [
      { name: 'a regular file', fresh: true, make: (lock) => writeFileSync(lock, 'garbage\n') },
      { name: 'a directory with something in it', fresh: true, make: (lock) => { mkdirSync(lock); writeFileSync(join(lock, 'junk'), 'x'); } },
      { name: 'an empty directory dated in the year 2100', fresh: false, make: (lock) => { mkdirSync(lock); utimesSync(lock, new Date('2100-01-01'), new Date('2100-01-01')); } },
      { name: 'a fresh lock whose owner process has died', fresh: true, make: async (lock) => { const dead = await deadPid(); mkdirSync(lock); writeFileSync(join(lock, 'owner'), `${dead} ${hostname()}\n`); } },
    ];

    for (const shape of shapes) {
      it(`a state.lock that is ${shape.name} is taken over at once`, { timeout: 60_000 }, async (t) => {
        const { osmo, dir, srv } = await alwaysRenewing(t, `lock-${shapes.indexOf(shape)}`);
        const lock = join(dir, 'state.lock');
        await shape.make(lock);
        const stop = shape.fresh ? keepFresh(lock) : () => 0;
        const before = srv.count(EXCHANGE);
        // Were the lock not taken over, osmo would wait for it 5 + 15 s and fail naming its holder.
        const started = Date.now();
        const res = await osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '5' }, timeoutMs: 40_000 });
        const ms = Date.now() - started;
        const longest = stop();
        assert.equal(res.code, 0, res.stderr);
        assert.equal(srv.count(EXCHANGE), before + 1);
        // Not by age: the lock never went the 5 s without a move after which proper-lockfile calls it stale.
        assert.ok(longest < 5_000, `the test left the lock unmoved for ${longest} ms, so a takeover by age is not ruled out`);
        // At once, not after some wait: a bound for the whole run, far from what one run takes, and below the 20 s wait.
        assert.ok(ms < 10_000, `took ${ms} ms`);
        assert.equal(existsSync(lock), false, 'released');
      });
    }

    const abandonedLocks: Array<{ name: string; make: (lock: string) => void | Promise<void> }> = [
      { name: 'whose owner process has died', make: async (lock) => { const dead = await deadPid(); mkdirSync(lock); writeFileSync(join(lock, 'owner'), `${dead} ${hostname()}\n`); } },
      { name: 'whose mtime stopped moving a minute ago', make: (lock) => { mkdirSync(lock); utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000)); } },
    ];

    for (const shape of abandonedLocks) {
      it(`parallel commands facing a lock ${shape.name}: one takes it over, all succeed, one renewal`, { timeout: 60_000 }, async (t) => {
        const { osmo, dir, srv } = await alwaysRenewing(t, `racing-takeover-${abandonedLocks.indexOf(shape)}`);
        const lock = join(dir, 'state.lock');
        await shape.make(lock);
        // Each waiter waits 300 ms between deciding the lock is abandoned and removing it...
        const env = { NODE_OPTIONS: `--require ${JSON.stringify(SLOW_LOCK_REMOVAL)}`, OSMO_TEST_SLOW_LOCK_REMOVAL_MS: '300' };
        // ...and the renewal under the lock takes 2 s: a second holder would overlap it, and renew too.
        srv.fault({ route: EXCHANGE, delayMs: 2_000 });
        const before = srv.count(EXCHANGE);
        const results = await Promise.all(Array.from({ length: 6 }, () => osmo(['token', 'list'], { env, timeoutMs: 40_000 })));
        for (const res of results) assert.equal(res.code, 0, res.stderr);
        assert.equal(srv.count(EXCHANGE), before + 1);
        assert.equal(existsSync(lock), false, 'released');
      });
    }
  });
});
