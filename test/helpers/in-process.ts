/**
 * osmo in the test's own process: `main(argv, io, env)` from src/program.ts
 * with captured IO and an injected clock, against the local OSMO server over
 * real HTTP, with the real file store and lock in a temporary config
 * directory. A command costs a few milliseconds instead of a Node start-up,
 * and a JWT is aged by moving the clock instead of sleeping:
 *
 *   const clock = new TestClock();
 *   const server = useServer({ now: clock.now });   // the server keeps the same time
 *   const { osmo } = inProcessUser(clock);
 *   await osmo(['token', 'list']);                   // { code, stdout, stderr }
 *   clock.advance(3_500);                            // 3.5 s later, for osmo and the server
 *
 * What only a process shows stays with runOsmo() (test/helpers/cli.ts): the
 * bundle and bin/osmo, signals and exit codes, start-up, many processes at
 * once, the real keychain (its D-Bus session is per process). Secrets go to
 * the file store in the config directory, as OSMO_CREDENTIAL_STORE=file says
 * (baseEnv); a test that wants the keychain hands in an in-memory one, which
 * osmo opens where it would open the OS's (stores are opened only by the
 * wiring, src/context.ts):
 *
 *   const keychain = new MemoryKeychain();           // test/helpers/memory-keychain.ts
 *   const { osmo } = inProcessUser(clock, { OSMO_CREDENTIAL_STORE: 'keychain' }, { keychain });
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/program.js';
import type { IO } from '../../src/io.js';
import type { Injected } from '../../src/context.js';
import { baseEnv, tempDir, type RunOptions, type RunResult } from './cli.js';

/**
 * Real time plus an offset that only grows: tokens age when a test says so.
 * osmo's own waits (the device-code polling interval, OSMO_LOGIN_TIMEOUT) go
 * through sleep(): a sleeper wakes when the clock reaches its time, by
 * advance() or by real time passing, so a test skips a wait instead of
 * sitting through it, and sees how long osmo meant to wait:
 *
 *   const run = osmo(['login', url, '--method', 'code']);
 *   assert.equal(await clock.waiting(), 1000);       // osmo waits one poll interval
 *   server().oauth.approveDevice(code, user);
 *   assert.deepEqual(await clock.fastForward(run), [1000]);
 */
export class TestClock {
  private offsetMs = 0;
  private readonly sleepers = new Set<{ ms: number; at: number; wake: () => void }>();
  private readonly watchers = new Set<() => void>();
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    if (ms < 0) throw new Error('a clock only moves forward');
    this.offsetMs += ms;
    for (const sleeper of [...this.sleepers]) if (sleeper.at <= this.now()) sleeper.wake();
  }

  /** What osmo waits with in-process (Services.sleep): until this clock reaches now() + ms, or `signal` aborts. */
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      signal?.throwIfAborted();
      const sleeper = { ms, at: this.now() + ms, wake: () => settle(resolve) };
      // Real time passes too: a sleeper nobody skips wakes when its time comes.
      const timer = setTimeout(sleeper.wake, ms);
      timer.unref();
      const onAbort = (): void => settle(() => reject(signal?.reason));
      const settle = (then: () => void): void => {
        if (!this.sleepers.delete(sleeper)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      for (const watcher of [...this.watchers]) watcher();
    });

  /** Once someone waits on this clock: the ms the earliest sleeper asked for. */
  waiting(): Promise<number> {
    return new Promise((resolve) => {
      const check = (): void => {
        const first = this.earliest();
        if (!first) return;
        this.watchers.delete(check);
        resolve(first.ms);
      };
      this.watchers.add(check);
      check();
    });
  }

  /**
   * Skips every wait `run` makes until it settles, as if that time had
   * passed; returns the waits (ms asked for) in order.
   */
  async fastForward(run: Promise<unknown>): Promise<number[]> {
    const waits: number[] = [];
    let done = false;
    const ended = run.then(
      () => void (done = true),
      () => void (done = true),
    );
    while (!done) {
      const next = await Promise.race([ended.then(() => undefined), this.waiting()]);
      if (next === undefined || done) break;
      const first = this.earliest()!;
      waits.push(first.ms);
      this.advance(Math.max(0, first.at - this.now()));
    }
    return waits;
  }

  private earliest(): { ms: number; at: number } | undefined {
    return [...this.sleepers].sort((a, b) => a.at - b.at)[0];
  }
}

/** Written to by osmo, read by the test. */
class Capture extends Writable {
  text = '';
  constructor(private readonly watch?: (soFar: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.watch?.(this.text);
    done();
  }
}

/** What a test may add to runOsmo()'s options in-process. */
export interface InProcessOptions extends RunOptions {
  /** Called with all of stderr so far at each write: what a person sees while a command runs (a device code, say). */
  onStderr?: (soFar: string) => void;
}

/** Runs one osmo command in-process, as runOsmo() runs it as a child: same env, same result shape. */
export async function runInProcess(args: string[], configDir: string, opts: InProcessOptions & { clock?: TestClock; keychain?: Injected['keychain'] } = {}): Promise<RunResult> {
  const stdout = new Capture();
  const stderr = new Capture(opts.onStderr);
  const io: IO = { stdout, stderr, stdin: Readable.from(opts.input === undefined ? [] : [opts.input]), stdinIsTTY: false, stderrIsTTY: false };
  const run = main(args, io, baseEnv(configDir, opts.env), { now: opts.clock?.now, sleep: opts.clock?.sleep, keychain: opts.keychain });
  // As runOsmo() kills a child after its time-out: a command that never ends
  // fails its test with what it printed, instead of holding up the suite.
  const limitMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`osmo ${args.join(' ')} (in-process) did not end within ${limitMs} ms\n--- stdout so far ---\n${stdout.text}--- stderr so far ---\n${stderr.text}`)), limitMs);
  });
  try {
    const code = await Promise.race([run, overdue]);
    return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
  }
}

/** A user's own config directory and an in-process runner bound to it: newUser() (fixtures.ts) without the processes. */
export function inProcessUser(clock?: TestClock, env: RunOptions['env'] = {}, injected: Pick<Injected, 'keychain'> = {}): { dir: string; osmo: (args: string[], opts?: InProcessOptions) => Promise<RunResult> } {
  const dir = tempDir();
  return { dir, osmo: (args, opts = {}) => runInProcess(args, dir, { ...opts, clock, keychain: injected.keychain, env: { ...env, ...opts.env } }) };
}
