import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { promptSecret, readAllStdin } from '../prompt.js';
import { commandLineSecretWarning, readSecretFile, SECRET_FILE_MAX_BYTES } from '../util/secret-file.js';

export interface PatSources {
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
}

export interface PatInput {
  pat: string;
  /** A warning for the user: a token file others can read, or a token in argv. */
  warning?: string;
}

/**
 * The PAT for a token login, from exactly one place: --token (least safe:
 * visible in `ps` and shell history), --token-file, --token-stdin, a pipe on
 * stdin, or a hidden prompt. Its shape is never checked: it is opaque.
 * methodFromFlags() has already refused more than one of the flags.
 */
export async function readPat(sources: PatSources, io: IO, piped?: string, beforePrompt: () => void = () => {}): Promise<PatInput> {
  // Already read while deciding the method (`cat token | osmo login URL`).
  if (piped !== undefined) return { pat: nonEmpty(piped, 'standard input') };
  if (sources.tokenFile !== undefined) {
    const file = await readSecretFile(sources.tokenFile, '--token-file', 'access token');
    return { pat: file.value, warning: file.warning };
  }
  if (sources.token !== undefined) return { pat: nonEmpty(sources.token, '--token'), warning: commandLineSecretWarning('--token', 'token', '--token-file FILE or --token-stdin') };
  if (sources.tokenStdin || !io.stdinIsTTY) {
    if (io.stdinIsTTY) throw new UsageError('--token-stdin needs the token piped on standard input', 'for example: osmo login URL --method token --token-stdin < token.txt');
    return { pat: nonEmpty(await readAllStdin(io, SECRET_FILE_MAX_BYTES), 'standard input') };
  }
  beforePrompt();
  return { pat: nonEmpty(await promptSecret(io, 'Access token', 'pass --token-file FILE or --token-stdin'), 'the prompt') };
}

function nonEmpty(value: string, from: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new UsageError(`the access token from ${from} is empty`, 'create one with `osmo token set NAME` and pass it with --token-file or --token-stdin');
  return trimmed;
}
