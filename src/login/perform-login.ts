import type { Services } from '../services.js';
import { PatRefusedError, UsageError } from '../errors.js';
import { println } from '../io.js';
import type { MethodChoice } from './choose-method.js';
import type { LoginFlags } from './login-flags.js';
import type { LoginResult } from './token-login.js';

/**
 * Logs in to `url` by the chosen method and stores the login. Prints
 * `Logging in to URL` after every check of the flags and before the first
 * prompt or request; everything else the command prints itself.
 */
export async function performLogin(ctx: Services, url: string, flags: LoginFlags, choice: MethodChoice, allowInsecureHttp: boolean): Promise<LoginResult> {
  try {
    return await loginBy(ctx, url, flags, choice, allowInsecureHttp);
  } catch (err) {
    // Whatever a server that is not OSMO answered, the URL is what to fix.
    const { recogniseService } = await import('./recognise-service.js');
    throw await recogniseService(ctx, url, err);
  }
}

async function loginBy(ctx: Services, url: string, flags: LoginFlags, choice: MethodChoice, allowInsecureHttp: boolean): Promise<LoginResult> {
  // Once: before the first question (a prompt), else before the first request; mistakes are reported before it.
  let announced = false;
  const announce = (): void => {
    if (!announced) println(ctx.io.stdout, `Logging in to ${url}`);
    announced = true;
  };
  switch (choice.method) {
    case 'token': {
      const [{ readPat }, { tokenLogin }, { describeRefusedPat }] = await Promise.all([import('./read-pat.js'), import('./token-login.js'), import('./pat-text.js')]);
      const input = await readPat(flags, ctx.io, choice.pipedToken, announce);
      if (input.warning) ctx.warn(input.warning);
      if (input.note) ctx.notice(input.note);
      announce();
      try {
        return await tokenLogin(ctx, url, input.pat, allowInsecureHttp);
      } catch (err) {
        throw err instanceof PatRefusedError ? describeRefusedPat(err, input.pat, input.from, url) : err;
      }
    }
    case 'dev': {
      const username = flags.username?.trim();
      if (!username) throw new UsageError('--method dev needs --username', 'for example: osmo login http://localhost:8000 --method dev --username alice');
      const { devLogin } = await import('./token-login.js');
      announce();
      return devLogin(ctx, url, username, allowInsecureHttp);
    }
    default: {
      // Without a terminal or a BROWSER command nobody can finish a browser or
      // device login: fail now rather than leave a CI job waiting for minutes.
      if (choice.how === 'default' && !ctx.io.stdinIsTTY && !ctx.env.BROWSER) {
        throw new UsageError('no --method given and no terminal to finish a browser login', 'in CI pass --token-file FILE or pipe the token to --token-stdin; on a machine without a browser use --method code');
      }
      const { oauthLogin } = await import('./oauth-login.js');
      return oauthLogin(ctx, url, flags, { method: choice.method, deviceFallback: choice.how === 'default', allowInsecureHttp, announce });
    }
  }
}
