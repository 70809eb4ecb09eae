import type * as z from 'zod/mini';
import { NetworkError } from '../errors.js';
import { oneLine } from '../util/display-text.js';

/**
 * The body of a successful answer, checked against its schema. Whatever the
 * server sent, the outcome is the parsed value or a NetworkError (exit 10):
 * a body that is not what the API promises is the server's failure.
 */
export function parseJsonResponse<T extends z.ZodMiniType>(text: string, status: number, schema: T, what: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new NetworkError(`the server's answer to "${what}" is not JSON (HTTP ${status})`, 'check that the URL points at an OSMO service');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
    throw new NetworkError(
      oneLine(`the server's answer to "${what}" does not match the OSMO API${at}: ${issue?.message ?? 'invalid'}`),
      'check that the URL points at an OSMO service of a supported version',
    );
  }
  return parsed.data;
}
