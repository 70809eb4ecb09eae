import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { canPrompt, promptLine, promptSecret, readAllStdin } from '../prompt.js';
import { commandLineSecretWarning, readSecretFile, SECRET_FILE_MAX_BYTES } from '../util/secret-file.js';

export interface PasswordFlags {
  username?: string;
  password?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
}

export interface PasswordInput {
  username: string;
  password: string;
  /** A warning for the user: a password file others can read, or a password in argv. */
  warning?: string;
}

const FLAG_HINT = 'pass --username USER and --password-file FILE or --password-stdin';

/**
 * The credentials for `--method password` (service accounts without a
 * browser): --password-file, --password-stdin, else --password (visible in
 * `ps` and shell history), else a prompt without echo where a person can answer it.
 * Read before any request, so a missing flag costs nothing. More than one
 * of the password flags was refused by methodFromFlags() (src/login/choose-method.ts).
 * Without --username a person at a terminal is asked for it, as `docker
 * login` does. `beforePrompt` runs once, before the first question.
 */
export async function readPasswordInput(flags: PasswordFlags, io: IO, beforePrompt: () => void = () => {}): Promise<PasswordInput> {
  let username = flags.username?.trim();
  if (!username) {
    // --password-stdin takes standard input: nobody could answer there.
    if (flags.passwordStdin || !canPrompt(io)) throw new UsageError('--method password needs --username', FLAG_HINT);
    beforePrompt();
    username = (await promptLine(io, 'Username', FLAG_HINT)).trim();
    if (!username) throw new UsageError('no user name was entered', FLAG_HINT);
  }
  if (flags.passwordFile !== undefined) {
    // As with token files, surrounding white space and the final newline are not part of it.
    const file = await readSecretFile(flags.passwordFile, '--password-file', 'password');
    return { username, password: file.value, warning: file.warning };
  }
  if (flags.passwordStdin) {
    if (io.stdinIsTTY) throw new UsageError('--password-stdin needs the password piped on standard input', 'for example: osmo login URL --username svc-robot --password-stdin < password.txt');
    // As with files: surrounding white space and the final newline are not part of it.
    const password = (await readAllStdin(io, SECRET_FILE_MAX_BYTES)).trim();
    if (!password) throw new UsageError('the password from standard input is empty', FLAG_HINT);
    return { username, password };
  }
  if (flags.password !== undefined) {
    if (!flags.password) throw new UsageError('--password is empty', FLAG_HINT);
    return { username, password: flags.password, warning: commandLineSecretWarning('--password', 'password', '--password-file FILE or --password-stdin') };
  }
  beforePrompt();
  const password = await promptSecret(io, 'Password', FLAG_HINT);
  if (!password) throw new UsageError('no password was entered', FLAG_HINT);
  return { username, password };
}
