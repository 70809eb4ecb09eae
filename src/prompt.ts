import { InterruptedError, UsageError } from './errors.js';
import { onInterrupt } from './interrupt.js';
import type { IO } from './io.js';

/** Interactive questions only where a person can answer them. */
export function canPrompt(io: IO): boolean {
  return io.stdinIsTTY && io.stderrIsTTY;
}

/**
 * Asks for a secret without echoing it; fails with the flag to use instead
 * when no one can answer. The terminal is in raw mode meanwhile, so Ctrl-C
 * arrives here as a character, not as a signal: it becomes an
 * InterruptedError, which ends osmo as the signal would have.
 */
export async function promptSecret(io: IO, question: string, flagHint: string): Promise<string> {
  return ask(io, question, flagHint, false);
}

/** Asks for a line that may be seen (a user name), echoing it as it is typed; otherwise as promptSecret(). */
export async function promptLine(io: IO, question: string, flagHint: string): Promise<string> {
  return ask(io, question, flagHint, true);
}

async function ask(io: IO, question: string, flagHint: string, echo: boolean): Promise<string> {
  if (!canPrompt(io)) throw new UsageError(`cannot ask for ${question.toLowerCase()} without a terminal`, flagHint);
  const stdin = io.stdin as NodeJS.ReadStream;
  io.stderr.write(`${question}: `);
  return new Promise((resolve, reject) => {
    let answer = '';
    // A signal from elsewhere (kill -INT, SIGTERM) must not leave the terminal without echo.
    const forget = onInterrupt(() => stdin.setRawMode?.(false));
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      forget();
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off('data', onData);
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new InterruptedError('SIGINT', true));
        if (ch === '\u007f' || ch === '\b') {
          if (echo && answer) io.stderr.write('\b \b');
          answer = answer.slice(0, -1);
        } else if (ch >= ' ') {
          if (echo) io.stderr.write(ch);
          answer += ch;
        }
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * Reads the whole of standard input (for --token-stdin and pipes), refusing
 * more than `maxBytes`: `< /dev/zero` must not grow until memory runs out.
 */
export async function readAllStdin(io: IO, maxBytes = Infinity): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    if ((size += buffer.length) > maxBytes) throw new UsageError(`standard input is larger than ${maxBytes / 1024} KiB; that is not what osmo expects there`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * What was piped to osmo when it was given no credential flag at all (`cat
 * token | osmo login URL`): the text, or undefined when standard input is a
 * terminal, or an open pipe nobody writes to within `graceMs` (a CI runner's,
 * or `ssh host osmo …`'s), so that such a pipe cannot hold a login. Once
 * something arrives it is read to its end, as readAllStdin() does.
 */
export async function readPipedStdin(io: IO, graceMs: number, maxBytes: number): Promise<string | undefined> {
  if (io.stdinIsTTY) return undefined;
  const stdin = io.stdin as NodeJS.ReadStream;
  const ready = await new Promise<boolean>((resolve) => {
    const settle = (value: boolean): void => {
      clearTimeout(timer);
      stdin.off('readable', onReadable);
      stdin.off('error', onError);
      resolve(value);
    };
    // 'readable' comes with the first data or the end, and consumes nothing.
    const onReadable = (): void => settle(true);
    // A closed or unreadable standard input simply holds nothing.
    const onError = (): void => settle(false);
    const timer = setTimeout(() => settle(false), graceMs);
    stdin.on('readable', onReadable);
    stdin.on('error', onError);
  });
  if (!ready) {
    stdin.destroy();
    return undefined;
  }
  return readAllStdin(io, maxBytes);
}

/**
 * Asks a yes/no question on stderr and reads one line (the terminal echoes
 * it): true only for `y` or `yes`. An end of input is a no. Callers check
 * canPrompt() first, so this never waits on a pipe.
 */
export async function confirm(io: IO, question: string): Promise<boolean> {
  io.stderr.write(question);
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve) => {
    let line = '';
    const done = (answer: boolean): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
      resolve(answer);
    };
    const onData = (chunk: string): void => {
      line += chunk;
      const end = line.search(/[\r\n]/);
      if (end >= 0) done(/^y(es)?$/i.test(line.slice(0, end).trim()));
    };
    const onEnd = (): void => {
      io.stderr.write('\n');
      done(false);
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onEnd);
    stdin.resume();
  });
}
