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

/** Real time plus an offset that only grows: tokens age when a test says so. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    if (ms < 0) throw new Error('a clock only moves forward');
    this.offsetMs += ms;
  }
}

/** Written to by osmo, read by the test. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs one osmo command in-process, as runOsmo() runs it as a child: same env, same result shape. */
export async function runInProcess(args: string[], configDir: string, opts: RunOptions & { clock?: TestClock; keychain?: Injected['keychain'] } = {}): Promise<RunResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: IO = { stdout, stderr, stdin: Readable.from(opts.input === undefined ? [] : [opts.input]), stdinIsTTY: false, stderrIsTTY: false };
  const code = await main(args, io, baseEnv(configDir, opts.env), { now: opts.clock?.now, keychain: opts.keychain });
  return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
}

/** A user's own config directory and an in-process runner bound to it: newUser() (fixtures.ts) without the processes. */
export function inProcessUser(clock?: TestClock, env: RunOptions['env'] = {}, injected: Pick<Injected, 'keychain'> = {}): { dir: string; osmo: (args: string[], opts?: RunOptions) => Promise<RunResult> } {
  const dir = tempDir();
  return { dir, osmo: (args, opts = {}) => runInProcess(args, dir, { ...opts, clock, keychain: injected.keychain, env: { ...env, ...opts.env } }) };
}
