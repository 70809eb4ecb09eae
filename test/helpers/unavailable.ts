import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/**
 * For a test that needs something this machine may lack: zsh, fish, openssl,
 * python3 (for a pseudo-terminal), a keychain, root (for a second Unix user),
 * a non-loopback IPv4 address. On a developer's machine it is skipped with
 * the reason; under OSMO_TEST_STRICT=1 (set by .ci/run) it fails, so CI never
 * counts a check it did not run as a pass. .ci/run installs the programs and
 * the keychain and runs as root; the address it does not provide: the CI
 * machine must have a network interface besides loopback.
 */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.OSMO_TEST_STRICT === '1') {
    assert.fail(`required by OSMO_TEST_STRICT=1 but unavailable: ${reason}`);
  }
  t.skip(reason);
}
