// fs.promises, not node:fs/promises: that module brings readline and more with it, ~5 ms
// of every start, while fs.promises loads them only once a file is read this way.
import * as fs from 'node:fs';
import { Socket } from 'node:net';
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';

/** A PAT is 43 characters and a password rarely more than a line: anything near this is not one. */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;

/** `~/x` as written in docs (`--token-file=~/.osmo-token`) is not expanded by every shell. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

export interface SecretFile {
  value: string;
  /** For the user when group or others may read the file: who can, and the chmod that fixes it. */
  warning?: string;
}

/** Reads a token or password file: surrounding white space and newlines are not part of it. */
export async function readSecretFile(path: string, flag: string, what: string): Promise<SecretFile> {
  const { text, mode } = await readBoundedFile(expandHome(path), SECRET_FILE_MAX_BYTES, `${flag} ${path}`, 'check the path and that you can read it');
  const value = text.trim();
  if (!value) throw new UsageError(`${flag} ${path} is empty`, `put the ${what} in the file, or pass it on standard input`);
  const loose = process.platform !== 'win32' && (mode & 0o077) !== 0;
  return { value, warning: loose ? `${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\`` : undefined };
}

/**
 * The text of a regular file or a pipe (a FIFO, `<(…)` process substitution,
 * /dev/stdin), at most `maxBytes` long. Anything else (/dev/zero, a terminal,
 * a socket) is refused before it is read, and a pipe is read through the event
 * loop so that Ctrl-C still works while it waits for a writer that never comes.
 * `name` (e.g. "--token-file F") and `hint` phrase the errors.
 */
export async function readBoundedFile(full: string, maxBytes: number, name: string, hint: string): Promise<{ text: string; mode: number }> {
  let data: Buffer;
  let mode: number;
  try {
    const st = await fs.promises.stat(full);
    mode = st.mode;
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (st.isFile()) data = await readRegular(full, maxBytes);
    else if (st.isFIFO()) data = await readPipe(full, maxBytes);
    else throw new UsageError(`${name} is not a regular file or a pipe`, 'give a file, or a pipe such as <(command)');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'error');
    throw new UsageError(`cannot read ${name}: ${why}`, hint);
  }
  if (data.length > maxBytes) throw new UsageError(`${name} is larger than ${describeBytes(maxBytes)}; that is not what osmo expects there`, hint);
  return { text: data.toString('utf8'), mode };
}

/** At most maxBytes + 1 bytes: enough to tell that the file is too large. */
async function readRegular(path: string, maxBytes: number): Promise<Buffer> {
  const file = await fs.promises.open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0 || (filled += bytesRead) === buffer.length) break;
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}

// Opening a FIFO blocks until a writer comes, and a thread blocked that way
// keeps the process from exiting even on Ctrl-C. Opened non-blocking, the pipe
// is watched by the event loop instead, which ends at EOF once a writer has
// come and gone.
async function readPipe(path: string, maxBytes: number): Promise<Buffer> {
  const socket = new Socket({ fd: fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK), readable: true, writable: false });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of socket) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > maxBytes) break;
    }
  } finally {
    socket.destroy();
  }
  return Buffer.concat(chunks);
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

/** The warning for a secret given as a command-line value, naming the safer ways to give it. */
export function commandLineSecretWarning(flag: string, what: string, safer: string): string {
  return `the ${what} given with ${flag} is visible to other users in \`ps\` and is kept in your shell history; use ${safer}`;
}
