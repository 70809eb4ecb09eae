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
    .argument('[url]', 'service URL (a host name alone means https://); defaults to the last server used')
    .addOption(new Option('--method <method>', 'how to authenticate: pkce = a browser on this machine, code = a device code you approve in a browser anywhere (over SSH too), password = a user name and password, token = a personal access token, dev = a user name only, for a service in developer mode (default: pkce, or code where no browser can be opened; the credential flags imply theirs)').choices(LOGIN_METHODS))
    .option('--token <token>', 'personal access token; implies --method token (least safe: visible in `ps` and shell history)')
    .option('--token-file <file>', 'read the personal access token from a file; implies --method token')
    .option('--token-stdin', 'read the personal access token from standard input; implies --method token')
    .option('--username <user>', 'user name (password and dev methods)')
    .option('--password <password>', 'password; implies --method password (least safe: prefer --password-file or --password-stdin)')
    .option('--password-file <file>', 'read the password from a file; implies --method password')
    .option('--password-stdin', 'read the password from standard input; implies --method password')
    .option('--device-endpoint <url>', 'override the device authorization endpoint')
    .option('--browser-endpoint <url>', 'override the browser authorization endpoint')
    .option('--callback-port <port>', 'local port for the browser callback (default: any free port)', parsePort)
    .option('--client-id <id>', 'override the OAuth client id')
    .option('--allow-insecure-http', 'allow sending credentials over plain http:// to a non-loopback host')
    .addHelpText(
      'after',
      '\nA stored login of URL is reused by `osmo login URL` alone; any credential logs in again.\n\nExamples:\n  $ osmo login https://osmo.example.com\n  $ osmo login https://osmo.example.com --token-file ~/.osmo-token\n  $ printenv OSMO_PAT | osmo login https://osmo.example.com --token-stdin\n  $ osmo login https://osmo.example.com --username svc-robot --password-stdin < ~/.osmo-password\n  $ osmo login https://osmo.example.com --method code\n  $ osmo login http://localhost:8000 --method dev --username alice',
    )
    .action((url: string | undefined, flags: LoginFlags) => runLogin(url, flags, getContext()));
}

export async function runLogin(rawUrl: string | undefined, flags: LoginFlags, ctx: Context): Promise<void> {
  const { chooseMethod, methodFromFlags, onlySwitches } = await import('../login/choose-method.js');
  // Contradicting flags fail before anything is read, sent or stored.
  methodFromFlags(flags);
  const { resolveLoginUrl } = await import('../login/login-url.js');
  const { url, allowInsecureHttp } = await resolveLoginUrl(ctx, rawUrl, Boolean(flags.allowInsecureHttp));
  const choice = await chooseMethod(flags, ctx.io);
  if (onlySwitches(flags, choice)) {
    const { switchTo, switchedLine } = await import('../session/switch.js');
    const stored = await switchTo(ctx, url);
    if (stored) return println(ctx.io.stdout, switchedLine(url, stored));
  }
  const { performLogin } = await import('../login/perform-login.js');
  const result = await performLogin(ctx, url, flags, choice, allowInsecureHttp);
  for (const line of result.notices) ctx.notice(line);
  if (result.replacedUser) ctx.notice(`Note: this login replaces the stored login of ${result.replacedUser} for ${url}`);
  println(ctx.io.stdout, `Successfully logged in. Welcome ${terminalSafe(result.name)}.`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`invalid --callback-port "${value}": expected a port number 1-65535`);
  return port;
}
