// What a warning is about, so one fact is said once per command: osmo warns
// about an expiring PAT itself, and a service (or a proxy) may say the same
// in `x-osmo-warning`.

/** The fact behind a warning that a PAT expires soon. */
export function patExpiryFact(tokenName: string | undefined): string {
  return `pat-expiry:${tokenName ?? ''}`;
}

/**
 * An `x-osmo-warning` text made ready for `Warning: …`: without a label of
 * its own (the service's texts may start with "WARNING:"), and with the fact
 * it states when osmo knows it.
 */
export function serviceWarning(text: string): { message: string; fact?: string } {
  const message = text.replace(/^\s*warning\s*:\s*/i, '');
  const expiring = /^access token (\S+) (?:is expiring|expires|has expired|expired)\b/i.exec(message);
  return { message, fact: expiring ? patExpiryFact(expiring[1]) : undefined };
}
