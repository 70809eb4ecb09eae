// What a browser stand-in was asked to open: osmo hands a browser a private
// page that redirects to the sign-in URL (src/oauth/sign-in-page.ts), never
// the URL itself, since a command line is visible to every local user.
import { readFileSync } from 'node:fs';

/** The sign-in URL behind what the browser was given: a URL as it is, or the page's redirect. */
export function signInUrl(opened) {
  if (/^https?:/.test(opened)) return opened;
  const match = /http-equiv="refresh" content="0;url=([^"]*)"/.exec(readFileSync(opened, 'utf8'));
  if (!match) throw new Error(`no redirect in ${opened}`);
  return match[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
