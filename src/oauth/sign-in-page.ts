import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The sign-in URL carries the login's state and PKCE challenge. In a
// browser's command line any local user could read it (`ps`) and finish the
// flow first with their own account, logging this user in as them (login
// CSRF). So the browser is given a file instead: a page that only this user
// can read, which sends the browser on to the URL.

export interface SignInPage {
  /** What the browser is opened on: the page's absolute path. */
  path: string;
  /** Removes the page and its directory (after the login, or when it is cut short). */
  remove(): void;
}

/** Writes the redirecting page, mode 0600, in a new directory of mode 0700 (mkdtemp's). */
export function writeSignInPage(url: string): SignInPage {
  const dir = mkdtempSync(join(tmpdir(), 'osmo-login-'));
  const path = join(dir, 'sign-in.html');
  writeFileSync(path, page(url), { mode: 0o600, flag: 'wx' });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A meta refresh, and location.replace() so that Back does not come here again; a link for browsers without either. */
function page(url: string): string {
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const script = JSON.stringify(url).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0;url=${attr}">`,
    '<meta name="referrer" content="no-referrer">',
    '<title>osmo login</title>',
    `<script>location.replace(${script});</script>`,
    '</head><body>',
    `<p><a href="${attr}">Continue to sign in</a></p>`,
    '</body></html>',
    '',
  ].join('\n');
}
