import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';
import { LOGIN_METHODS } from '../config/login-methods.js';
import { terminalSafe } from '../util/display-text.js';
import type { LoginFlags } from '../login/login-flags.js';

export function loginCommand(getContext: () => Context): Command {
  return new Command('login')
    .description('Log in to an OSMO service')
    .argument('[url]', 'service URL; defaults to the last server used')
    .addOption(new Option('--method <method>', 'how to authenticate').choices(LOGIN_METHODS).default('pkce'))
    .option('--token <token>', 'personal access token (least safe: visible in `ps` and shell history)')
    .option('--token-file <file>', 'read the personal access token from a file')
    .option('--token-stdin', 'read the personal access token from standard input')
    .option('--username <user>', 'user name (password and dev methods)')
    .option('--password <password>', 'password (least safe; prefer --password-file)')
    .option('--password-file <file>', 'read the password from a file')
    .option('--device-endpoint <url>', 'override the device authorization endpoint')
    .option('--browser-endpoint <url>', 'override the browser authorization endpoint')
    .option('--callback-port <port>', 'local port for the browser callback (default: any free port)', parsePort)
    .option('--client-id <id>', 'override the OAuth client id')
    .option('--allow-insecure-http', 'allow sending credentials over plain http:// to a non-loopback host')
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo login https://osmo.example.com\n  $ osmo login https://osmo.example.com --method token --token-file ~/.osmo-token\n  $ printenv OSMO_PAT | osmo login https://osmo.example.com --method token --token-stdin\n  $ osmo login https://osmo.example.com --method code\n  $ osmo login http://localhost:8000 --method dev --username alice',
    )
    .action(function (this: Command, url: string | undefined, flags: LoginFlags) {
      // `osmo login URL` alone, for a server already logged in, switches back to it.
      const credentialFlags = ['token', 'tokenFile', 'tokenStdin', 'username', 'password', 'passwordFile'] as const;
      const defaultMethod = this.getOptionValueSource('method') === 'default';
      const switchOnly = defaultMethod && credentialFlags.every((f) => flags[f] === undefined);
      return runLogin(url, flags, getContext(), { switchOnly, defaultMethod });
    });
}

export interface LoginMode {
  /** `osmo login URL` alone: switch to a stored login if there is one. */
  switchOnly?: boolean;
  /** --method was not given, so pkce was chosen for the user. */
  defaultMethod?: boolean;
}

export async function runLogin(rawUrl: string | undefined, flags: LoginFlags, ctx: Context, mode: LoginMode = {}): Promise<void> {
  const { resolveLoginUrl } = await import('../login/login-url.js');
  const { url, allowInsecureHttp } = await resolveLoginUrl(ctx, rawUrl, Boolean(flags.allowInsecureHttp));
  if (mode.switchOnly) {
    const { switchTo } = await import('../session/save-login.js');
    const stored = await switchTo(ctx, url);
    if (stored) {
      println(ctx.io.stdout, `Logging in to ${url}`);
      println(ctx.io.stdout, `Using the stored ${stored.method} login; pass --method to log in again.`);
      println(ctx.io.stdout, `Successfully logged in. Welcome ${terminalSafe(stored.username ?? 'back')}.`);
      return;
    }
  }
  let result;
  switch (flags.method) {
    case 'token': {
      const { readPat } = await import('../login/read-pat.js');
      const { tokenLogin } = await import('../login/token-login.js');
      const input = await readPat(flags, ctx.io);
      if (input.warning) ctx.warn(input.warning);
      println(ctx.io.stdout, `Logging in to ${url}`);
      result = await tokenLogin(ctx, url, input.pat, allowInsecureHttp);
      break;
    }
    case 'dev': {
      const username = flags.username?.trim();
      if (!username) throw new UsageError('--method dev needs --username', 'for example: osmo login http://localhost:8000 --method dev --username alice');
      const { devLogin } = await import('../login/token-login.js');
      println(ctx.io.stdout, `Logging in to ${url}`);
      result = await devLogin(ctx, url, username, allowInsecureHttp);
      break;
    }
    default: {
      // Without a terminal or a BROWSER command nobody can finish a browser login:
      // fail now rather than leave a CI job waiting 5 minutes for a callback.
      if (mode.defaultMethod && !ctx.io.stdinIsTTY && !ctx.env.BROWSER) {
        throw new UsageError('no --method given and no terminal to finish a browser login', 'in CI pass --method token --token-file FILE (or --token-stdin); on a machine without a browser use --method code');
      }
      const { oauthLogin } = await import('../login/oauth-login.js');
      println(ctx.io.stdout, `Logging in to ${url}`);
      result = await oauthLogin(ctx, url, flags, allowInsecureHttp);
    }
  }
  if (result.notice) ctx.notice(result.notice);
  println(ctx.io.stdout, `Successfully logged in. Welcome ${terminalSafe(result.name)}.`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`invalid --callback-port "${value}": expected a port number 1-65535`);
  return port;
}
