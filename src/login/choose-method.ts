import type { LoginMethod } from '../config/login-methods.js';
import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import { readPipedStdin } from '../prompt.js';
import { SECRET_FILE_MAX_BYTES } from '../util/secret-file.js';
import type { LoginFlags } from './login-flags.js';

type Flag = readonly [keyof LoginFlags, string];

const TOKEN_FLAGS: Flag[] = [['token', '--token'], ['tokenFile', '--token-file'], ['tokenStdin', '--token-stdin']];
const PASSWORD_FLAGS: Flag[] = [['password', '--password'], ['passwordFile', '--password-file'], ['passwordStdin', '--password-stdin']];
/** Flags that only mean something for a new login: with any of them `osmo login URL` never merely switches. */
const FRESH_LOGIN_FLAGS: Flag[] = [...TOKEN_FLAGS, ...PASSWORD_FLAGS, ['username', '--username'], ['deviceEndpoint', '--device-endpoint'], ['browserEndpoint', '--browser-endpoint'], ['callbackPort', '--callback-port'], ['clientId', '--client-id']];

/** How long `osmo login URL` waits for a first byte on a non-terminal standard input before deciding nothing was piped. */
export const PIPE_GRACE_MS = 2_000;

export interface MethodChoice {
  method: LoginMethod;
  /** `default`: nothing said how, so a browser login, or a device code where no browser can be opened. */
  how: 'given' | 'implied' | 'piped' | 'default';
  /** The token piped on standard input, already read. */
  pipedToken?: string;
}

const present = (flags: LoginFlags, list: Flag[]): string[] => list.filter(([key]) => flags[key] !== undefined && flags[key] !== false).map(([, name]) => name);

/**
 * What the flags say about the method, checked before anything is read or
 * sent: --token* imply a token login and --password* a password login, as
 * `gh auth login --with-token` and `docker login --password-stdin` do; a
 * flag that contradicts --method is a mistake, never silently dropped, and
 * so is a token or password given two ways (readPat and readPasswordInput
 * rely on this: every login passes here first).
 */
export function methodFromFlags(flags: LoginFlags): Pick<MethodChoice, 'method' | 'how'> | undefined {
  const token = present(flags, TOKEN_FLAGS);
  const password = present(flags, PASSWORD_FLAGS);
  if (token[0] && password[0]) {
    throw new UsageError(`${token[0]} and ${password[0]} cannot be used together`, 'a token login takes no password: give either the token or a user name and password');
  }
  const implied = token[0] ? { method: 'token' as const, flag: token[0] } : password[0] ? { method: 'password' as const, flag: password[0] } : undefined;
  if (flags.method) {
    if (implied && implied.method !== flags.method) {
      throw new UsageError(`${implied.flag} cannot be used with --method ${flags.method}`, `${implied.flag} is for --method ${implied.method}: leave out one of the two`);
    }
  }
  if (token.length > 1) throw givenTwoWays(token, 'token', '--token-file or --token-stdin');
  if (password.length > 1) throw givenTwoWays(password, 'password', '--password-file and --password-stdin');
  if (flags.method) return { method: flags.method, how: 'given' };
  if (implied) return { method: implied.method, how: 'implied' };
  if (flags.username !== undefined) {
    throw new UsageError('--username needs --method password or --method dev', 'for example: osmo login URL --method password --username svc-robot --password-file FILE');
  }
  return undefined;
}

function givenTwoWays(given: string[], what: string, safeFlags: string): UsageError {
  return new UsageError(`${given.join(' and ')} cannot be used together`, `give the ${what} in one way only; ${safeFlags} keep it out of \`ps\``);
}

/**
 * The login method: as given or implied by the flags; else a token when one
 * is piped on standard input (`cat token | osmo login URL`); else the default.
 */
export async function chooseMethod(flags: LoginFlags, io: IO): Promise<MethodChoice> {
  const fromFlags = methodFromFlags(flags);
  if (fromFlags) return fromFlags;
  const piped = (await readPipedStdin(io, PIPE_GRACE_MS, SECRET_FILE_MAX_BYTES))?.trim();
  if (piped) return { method: 'token', how: 'piped', pipedToken: piped };
  return { method: 'pkce', how: 'default' };
}

/** `osmo login URL` and nothing else: switch to the stored login of URL, if there is one. */
export function onlySwitches(flags: LoginFlags, choice: MethodChoice): boolean {
  return choice.how === 'default' && present(flags, FRESH_LOGIN_FLAGS).length === 0;
}
