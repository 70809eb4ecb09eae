// Kept apart from state.ts so the command tree can name the methods without loading zod.
export const LOGIN_METHODS = ['pkce', 'code', 'password', 'token', 'dev'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
