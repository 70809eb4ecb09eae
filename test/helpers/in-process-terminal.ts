/**
 * osmo in-process (main(), as test/helpers/in-process.ts runs it) with its
 * stdout and stderr on a stand-in terminal of a given width: for what osmo
 * does with the width (help wrapping, table fitting) without a pseudo-terminal
 * and a process. Without `columns`, stdout and stderr are pipes.
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/program.js';
import type { IO } from '../../src/io.js';
import { baseEnv, tempDir, type RunOptions } from './cli.js';

/** A terminal `columns` wide as osmo sees one (isTTY, columns), or a pipe. */
class Screen extends Writable {
  text = '';
  readonly isTTY: boolean;
  constructor(readonly columns?: number) {
    super();
    this.isTTY = columns !== undefined;
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** `osmo ARGS` in-process on a terminal of `columns` columns (or pipes when undefined). */
export async function runOnTerminal(args: string[], columns?: number, opts: RunOptions & { configDir?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Screen(columns);
  const stderr = new Screen(columns);
  const tty = columns !== undefined;
  const io: IO = { stdout, stderr, stdin: Readable.from(opts.input === undefined ? [] : [opts.input]), stdinIsTTY: tty, stderrIsTTY: tty };
  const code = await main(args, io, baseEnv(opts.configDir ?? tempDir(), opts.env));
  return { code, stdout: stdout.text, stderr: stderr.text };
}
