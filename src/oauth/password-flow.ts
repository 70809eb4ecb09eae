import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { promptSecret } from '../prompt.js';
import { readSecretFile } from '../util/secret-file.js';

export interface PasswordFlags {
  username?: string;
  password?: string;
  passwordFile?: string;
}

export interface PasswordInput {
  username: string;
  password: string;
  /** A warning for the user, e.g. a password file others can read. */
  warning?: string;
}

const FLAG_HINT = 'pass --username USER and --password-file FILE (or --password, least safe)';

/**
 * The credentials for `--method password` (service accounts without a
 * browser): --password-file, else --password (visible in `ps` and shell
 * history), else a prompt without echo where a person can answer it.
 * Read before any request, so a missing flag costs nothing.
 */
export async function readPasswordInput(flags: PasswordFlags, io: IO): Promise<PasswordInput> {
  const username = flags.username?.trim();
  if (!username) throw new UsageError('--method password needs --username', FLAG_HINT);
  if (flags.password !== undefined && flags.passwordFile !== undefined) {
    throw new UsageError('--password and --password-file cannot be used together', 'give the password in one way only; --password-file keeps it out of `ps`');
  }
  if (flags.passwordFile !== undefined) {
    // As with token files, surrounding white space and the final newline are not part of it.
    const file = await readSecretFile(flags.passwordFile, '--password-file', 'password');
    const loose = file.looseMode ? `${flags.passwordFile} is readable by other users (mode ${file.looseMode}); run \`chmod 600 ${flags.passwordFile}\`` : undefined;
    return { username, password: file.value, warning: loose };
  }
  if (flags.password !== undefined) {
    if (!flags.password) throw new UsageError('--password is empty', FLAG_HINT);
    return { username, password: flags.password };
  }
  const password = await promptSecret(io, 'Password', FLAG_HINT);
  if (!password) throw new UsageError('no password was entered', FLAG_HINT);
  return { username, password };
}
