import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { promptSecret, readAllStdin } from '../prompt.js';
import { patFromText } from './pat-text.js';
import { commandLineSecretWarning, readSecretFile, SECRET_FILE_MAX_BYTES } from '../util/secret-file.js';

export interface PatSources {
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
}

export interface PatInput {
  pat: string;
  /** Where it was read, for an error that describes what was read. */
  from: string;
  /** A warning for the user: a token file others can read, or a token in argv. */
  warning?: string;
  /** The token was taken out of `osmo token set` output. */
  note?: string;
}

/**
 * The PAT for a token login, from exactly one place: --token (least safe:
 * visible in `ps` and shell history), --token-file, --token-stdin, a pipe on
 * stdin, or a hidden prompt. Its shape is never checked: it is opaque; but
 * a file or pipe may hold what `osmo token set` printed, and the token is
 * taken out of that.
 * methodFromFlags() has already refused more than one of the flags.
 */
export async function readPat(sources: PatSources, io: IO, piped?: string, beforePrompt: () => void = () => {}): Promise<PatInput> {
  // Already read while deciding the method (`cat token | osmo login URL`).
  if (piped !== undefined) return { ...patFromText(nonEmpty(piped, 'standard input')), from: 'standard input' };
  if (sources.tokenFile !== undefined) {
    const file = await readSecretFile(sources.tokenFile, '--token-file', 'access token');
    return { ...patFromText(file.value), from: `--token-file ${sources.tokenFile}`, warning: file.warning };
  }
  if (sources.token !== undefined) return { pat: nonEmpty(sources.token, '--token'), from: '--token', warning: commandLineSecretWarning('--token', 'token', '--token-file FILE or --token-stdin') };
  if (sources.tokenStdin || !io.stdinIsTTY) {
    if (io.stdinIsTTY) throw new UsageError('--token-stdin needs the token piped on standard input', 'for example: osmo login URL --method token --token-stdin < token.txt');
    return { ...patFromText(nonEmpty(await readAllStdin(io, SECRET_FILE_MAX_BYTES), 'standard input')), from: 'standard input' };
  }
  beforePrompt();
  return { pat: nonEmpty(await promptSecret(io, 'Access token', 'pass --token-file FILE or --token-stdin'), 'the prompt'), from: 'the prompt' };
}

function nonEmpty(value: string, from: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new UsageError(`the access token from ${from} is empty`, 'create one with `osmo token set NAME` and pass it with --token-file or --token-stdin');
  return trimmed;
}
