import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** How long to wait at most; 10 s unless told. */
  timeoutMs?: number;
  /**
   * The run of the process that should make `ready()` true (a runOsmo
   * promise, a child's 'close'): once it has ended, nothing more will come,
   * so the wait fails at once, showing what it ended with.
   */
  child?: Promise<unknown>;
  /** More to show when the wait fails (the child's stderr so far, say). */
  detail?: () => string;
}

/**
 * Waits until `ready()` holds, looking every 20 ms. A polling loop without a
 * deadline hangs the whole test run when osmo fails before doing what it is
 * waited for; this one fails the test instead, saying what never happened.
 */
export async function until(what: string, ready: () => boolean, opts: UntilOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let ended: { how: unknown } | undefined;
  opts.child?.then(
    (how) => (ended = { how }),
    (err: unknown) => (ended = { how: err }),
  );
  const more = (): string => (opts.detail ? `: ${opts.detail()}` : '');
  while (!ready()) {
    if (ended) assert.fail(`still waiting for ${what}, but the process has already ended: ${describe(ended.how)}${more()}`);
    if (Date.now() >= deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${more()}`);
    await sleep(20);
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
