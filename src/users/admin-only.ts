import { ApiError } from '../errors.js';

/**
 * The user commands are for administrators: the gateway refuses anyone else
 * with a bare `access denied` (HTTP 403). Say which role is missing instead.
 */
export async function asAdmin<T>(command: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw adminError(command, err);
  }
}

export function adminError(command: string, err: unknown): unknown {
  if (!(err instanceof ApiError) || err.status !== 403) return err;
  return new ApiError(
    `\`${command}\` needs the osmo-admin role, which this login does not have (the service answered: ${err.message})`,
    403,
    'log in as an administrator; a token made with --roles needs osmo-admin among them',
  );
}
