import type { OsmoClient } from '../api/client.js';
import { ApiError, OsmoError } from '../errors.js';
import { adminError } from './admin-only.js';

export interface RoleChange {
  action: 'add' | 'remove';
  role: string;
}

/** Adds first, then removals, one request each, as the official client does. */
export function roleChanges(add: string[] = [], remove: string[] = []): RoleChange[] {
  return [...add.map((role) => ({ action: 'add' as const, role })), ...remove.map((role) => ({ action: 'remove' as const, role }))];
}

export const changeLine = (c: RoleChange): string => `${c.action === 'add' ? 'Added' : 'Removed'} role: ${c.role}`;

/**
 * Applies the changes in order and reports each one as it lands. The service
 * has no transaction across them, so a failure leaves the earlier ones made:
 * the error says which were made and which were not, and exits non-zero.
 */
export async function applyRoleChanges(client: OsmoClient, userId: string, changes: RoleChange[], command: string, landed: (c: RoleChange) => void): Promise<void> {
  for (const [i, change] of changes.entries()) {
    try {
      if (change.action === 'add') await client.assignUserRole(userId, change.role);
      else await client.removeUserRole(userId, change.role);
    } catch (err) {
      if (!(err instanceof OsmoError)) throw err;
      // Nothing made yet and no admin role: that is the whole story.
      if (i === 0 && err instanceof ApiError && err.status === 403) throw adminError(command, err);
      const what = change.action === 'add' ? `add role ${change.role} to ${userId}` : `remove role ${change.role} from ${userId}`;
      // Without an answer (time-out, connection lost) the change may have been made.
      const answered = err instanceof ApiError;
      const made = changes.slice(0, i).map((c) => `${c.action === 'add' ? 'added' : 'removed'} ${c.role}`);
      const notMade = changes.slice(answered ? i : i + 1).map((c) => `${c.action} ${c.role}`);
      const parts = [`made: ${made.join(', ') || 'none'}`, `not made: ${notMade.join(', ') || 'none'}`];
      if (!answered) parts.push(`unknown: ${change.action} ${change.role}`);
      throw new OsmoError(`could not ${what}: ${err.message}`, err.exitCode, parts.join('; '));
    }
    landed(change);
  }
}
