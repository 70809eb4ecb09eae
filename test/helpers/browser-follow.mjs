#!/usr/bin/env node
// A stand-in browser for PKCE tests, used as BROWSER=<this file>: it opens the
// authorization URL as a signed-in user would (the test provider has no login
// page) and follows the redirect to osmo's loopback callback. The page osmo
// answers with is written to BROWSER_PAGE_FILE when set, so a test can read it.
import { writeFileSync } from 'node:fs';

const url = process.argv[2];
const authorize = await fetch(url, { redirect: 'manual' });
const location = authorize.headers.get('location');
if (!location) {
  console.error(`browser-follow: no redirect from the authorization endpoint (HTTP ${authorize.status})`);
  process.exit(1);
}
const callback = await fetch(new URL(location, url), { redirect: 'manual' });
const page = await callback.text();
if (process.env.BROWSER_PAGE_FILE) writeFileSync(process.env.BROWSER_PAGE_FILE, `${callback.status}\n${page}`);
