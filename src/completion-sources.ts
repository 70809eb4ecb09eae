// Where `osmo completion` finds the words for a command's argument that only
// the user's own world knows. One line per command; each source is a function
// in commands/complete.ts.

export type CompletionSource = 'servers' | 'tokens' | 'users';

export const ARGUMENT_SOURCES: Record<string, CompletionSource> = {
  login: 'servers',
  logout: 'servers',
  status: 'servers',
  switch: 'servers',
  'token delete': 'tokens',
  'token roles': 'tokens',
  'token rotate': 'tokens',
  'user get': 'users',
  'user update': 'users',
  'user delete': 'users',
};

/** The hidden command the scripts call: `osmo __complete SOURCE`. */
export const COMPLETE_COMMAND = '__complete';

/** How long the scripts let osmo ask a service, in seconds: TAB must not hang. */
export const COMPLETE_TIMEOUT_SECONDS = 1;
