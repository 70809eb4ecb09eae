import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/**
 * For a test that needs something this machine may lack (zsh, fish, a
 * keychain, a LAN address). On a developer's machine it is skipped with the
 * reason; under OSMO_TEST_STRICT=1 (set by .ci/run, which installs all of
 * them) it fails, so CI never counts a check it did not run as a pass.
 */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.OSMO_TEST_STRICT === '1') {
    assert.fail(`required by OSMO_TEST_STRICT=1 but unavailable: ${reason}`);
  }
  t.skip(reason);
}
