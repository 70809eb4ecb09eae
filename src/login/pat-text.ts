import { AuthError } from '../errors.js';
import { loginWithoutTokenHint } from '../util/login-hints.js';

// What a token file or pipe holds: the PAT alone, or what `osmo token set`
// printed (`osmo token set ci > tok` is the first thing people try). A PAT is
// opaque (SPEC.md section 1): anything else is sent as it is, and only when
// the service refuses it does osmo describe what it read.

const PRINTED = /^Access token:\s*(\S+)$/;
/** The other lines `osmo token set` prints around the token. */
const AROUND = /^(?:Note:|Created for user:|Roles:)/;

export interface PatText {
  pat: string;
  /** Said when the token was taken out of `osmo token set` output. */
  note?: string;
}

export function patFromText(text: string): PatText {
  const trimmed = text.trim();
  const lines = trimmed.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const printed = lines.filter((line) => !AROUND.test(line));
  const match = printed.length === 1 && lines.length <= 4 ? PRINTED.exec(printed[0]!) : null;
  if (!match) return { pat: trimmed };
  return {
    pat: match[1]!,
    note: 'Note: read the token from `osmo token set` output; `osmo token set NAME --output-file FILE` writes the token alone',
  };
}

/**
 * The service refused the token read from `from`: say what was read (never
 * the token itself) when that looks like a copy-paste slip, instead of
 * advising yet another token.
 */
export function describeRefusedPat(err: AuthError, pat: string, from: string, url: string): AuthError {
  const slips: string[] = [];
  const lines = pat.split(/\r?\n/).length;
  if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(pat)) {
    slips.push('it is a JWT (what `osmo print-token` prints), not a personal access token');
  } else {
    if (lines > 1) slips.push(`it has ${lines} lines`);
    if (/\S[ \t]+\S/.test(pat.split(/\r?\n/).join(''))) slips.push('it has spaces inside');
  }
  const read = `${from} held ${pat.length} characters`;
  if (slips.length) {
    return new AuthError(`${err.message}: ${read}, and ${slips.join(' and ')}`, 'give the personal access token alone, as `osmo token set` printed it after "Access token:"');
  }
  return new AuthError(`${err.message} (${read})`, `check that it is the whole token; if it was deleted or has expired, ${loginWithoutTokenHint(url)}`);
}
