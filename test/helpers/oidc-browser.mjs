#!/usr/bin/env node
// BROWSER for the oidc-provider tests (test/helpers/oidc-provider.ts): hands
// the URL osmo opens to that provider's user agent, which signs in, consents
// and follows the redirect to osmo's loopback callback. The page osmo answered
// with ("STATUS\nBODY") is written to BROWSER_PAGE_FILE.
import { renameSync, writeFileSync } from 'node:fs';
import { signInUrl } from './sign-in-page.mjs';

const res = await fetch(process.env.OIDC_BROWSE_URL, { method: 'POST', body: signInUrl(process.argv[2]) });
const page = await res.text();
// Whole or not at all: a test waits for the file to exist, then reads it.
if (process.env.BROWSER_PAGE_FILE) {
  writeFileSync(`${process.env.BROWSER_PAGE_FILE}.tmp`, res.ok ? page : `browser failed: HTTP ${res.status}\n${page}`);
  renameSync(`${process.env.BROWSER_PAGE_FILE}.tmp`, process.env.BROWSER_PAGE_FILE);
}
process.exit(res.ok ? 0 : 1);
