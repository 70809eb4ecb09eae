/**
 * The one reading of OSMO_DEBUG in src/: `1` and `true` (any case, spaces
 * around ignored) turn the debug log on, anything else leaves it off. The
 * launcher (bin/run-bundle.js, which cannot load src/) applies the same rule
 * to its code-cache log; test/debug-env.test.ts holds the two together.
 */
export function debugFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.OSMO_DEBUG?.trim().toLowerCase();
  return value === '1' || value === 'true';
}
