import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { LoginFlags } from '../commands/login.js';
import type { LoginResult } from './token-login.js';

/** Placeholder until the OAuth methods land. */
export async function oauthLogin(_ctx: Context, _url: string, flags: LoginFlags, _allowInsecureHttp: boolean): Promise<LoginResult> {
  throw new UsageError(`--method ${flags.method} is not supported yet`, 'use --method token with --token-file or --token-stdin');
}
