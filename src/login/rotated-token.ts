import type { Services, Storage } from '../services.js';
import { OsmoError } from '../errors.js';
import type { Target } from '../session/targets.js';
import type { RotationPlan } from '../tokens/rotate.js';
import { shellCommand } from '../util/shell-words.js';

// `osmo token rotate` of the PAT a login uses: the login moves to the new one.

/** Whether the PAT being rotated is the one this command authenticates with (a token login, or OSMO_TOKEN). */
export async function rotatesLoginToken(target: Target, plan: RotationPlan): Promise<boolean> {
  if (!target.jwt || (target.server && target.server.method !== 'token')) return false;
  const { readClaims } = await import('../session/jwt-claims.js');
  const claims = readClaims(await target.jwt());
  return claims?.osmo_token_name === plan.name && (plan.user === undefined || plan.user === claims.unique_name);
}

/**
 * An in-place rotation has already deleted the PAT the login holds: the new
 * one replaces it in the store at once, before the exchange that completes
 * the switch, so that an interruption there leaves a login that works.
 */
export async function keepNewPat(ctx: Storage, target: Target, pat: string): Promise<void> {
  if (!target.server) return;
  const [{ openStore }, lock] = await Promise.all([import('../store/choose-store.js'), ctx.lock()]);
  const store = await openStore(target.server.store ?? 'file', ctx);
  // The old token's JWT goes too: the next command exchanges the new PAT.
  await lock(() => store.set(target.url, { pat }));
}

/**
 * Moves the stored login of `target` to the new PAT: one exchange, through
 * the same path as `osmo login --method token`. `outputFile` is where the new
 * PAT was written, if it was, for the command that logs in with it by hand.
 */
export async function switchLogin(ctx: Services, target: Target, pat: string, plan: RotationPlan, outputFile: string | undefined): Promise<void> {
  const { tokenLogin } = await import('./token-login.js');
  try {
    const saved = await tokenLogin(ctx, target.url, pat, Boolean(target.server?.allowInsecureHttp), { keepCurrent: true });
    for (const line of saved.notices) ctx.notice(line);
  } catch (err) {
    if (!(err instanceof OsmoError)) throw err;
    const kept = plan.newName === plan.name ? '' : `; ${plan.name} was kept`;
    const source = outputFile !== undefined ? `--token-file ${shellCommand([outputFile])}` : '--token-stdin';
    throw new OsmoError(`the login for ${target.url} could not switch to the new token: ${err.message}${kept}`, err.exitCode, `log in with it: osmo login ${target.url} --method token ${source}`);
  }
  ctx.notice(`The login for ${target.url} now uses the new access token ${plan.newName}`);
}
