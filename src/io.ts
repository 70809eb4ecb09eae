import { isatty } from 'node:tty';

// IO is passed in, never taken from globals, so commands can be run with fakes.
export interface IO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
}

export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Made on first use: Node builds process.stdin as a file, pipe or terminal
    // stream, which for a file loads fs/promises and readline (~5 ms), and most
    // commands never read standard input.
    get stdin() {
      return process.stdin;
    },
    stdinIsTTY: isatty(0),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

export function println(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
