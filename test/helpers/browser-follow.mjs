#!/usr/bin/env node
// A stand-in browser for PKCE tests, used as BROWSER=<this file>: it opens the
// authorization URL as a signed-in user would (the test provider has no login
// page) and follows the redirect to osmo's loopback callback. The page osmo
// answers with is written to BROWSER_PAGE_FILE when set, so a test can read it.
//
// Extras a test can switch on:
//   BROWSER_ARGV_FILE  write what this browser was given on its command line, and the modes of the page
//   BROWSER_ENV_FILE   write the names of the OSMO_* variables this browser inherited
//   BROWSER_STRAY_FILE first send stray callbacks (wrong state, no state) and write their statuses
//   BROWSER_HOLD=1     first open a connection to the callback and leave it open
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { signInUrl } from './sign-in-page.mjs';

// osmo opens a private page that redirects to the sign-in URL (never the URL
// itself: a command line is visible to every local user); follow it as a browser does.
const opened = process.argv[2];
if (process.env.BROWSER_ARGV_FILE) {
  const seen = { argv: process.argv.slice(2) };
  if (!/^https?:/.test(opened)) {
    const file = statSync(opened);
    const dir = statSync(dirname(opened));
    Object.assign(seen, { fileMode: file.mode & 0o777, dirMode: dir.mode & 0o777, fileUid: file.uid, dirUid: dir.uid });
  }
  writeFileSync(process.env.BROWSER_ARGV_FILE, JSON.stringify(seen));
}
const url = signInUrl(opened);
if (process.env.BROWSER_ENV_FILE) {
  writeFileSync(process.env.BROWSER_ENV_FILE, JSON.stringify(Object.keys(process.env).filter((k) => /^OSMO_/i.test(k))));
}
const redirectUri = new URL(url).searchParams.get('redirect_uri');

if (process.env.BROWSER_STRAY_FILE) {
  const statuses = [];
  for (const query of ['?code=stray&state=not-the-right-one', '?code=stray']) {
    statuses.push((await fetch(`${redirectUri}${query}`, { redirect: 'manual' })).status);
  }
  writeFileSync(process.env.BROWSER_STRAY_FILE, JSON.stringify(statuses));
}

let held;
if (process.env.BROWSER_HOLD === '1') {
  const target = new URL(redirectUri);
  held = connect(Number(target.port), '127.0.0.1');
  held.on('error', () => {});
  await new Promise((resolve) => held.once('connect', resolve));
  held.write('GET / HTTP/1.1\r\nHost: localhost\r\n'); // and never the end of the headers
}

const authorize = await fetch(url, { redirect: 'manual' });
const location = authorize.headers.get('location');
if (!location) {
  console.error(`browser-follow: no redirect from the authorization endpoint (HTTP ${authorize.status})`);
  process.exit(1);
}
const callback = await fetch(new URL(location, url), { redirect: 'manual' });
const page = await callback.text();
// Whole or not at all: a test waits for the file to exist, then reads it.
if (process.env.BROWSER_PAGE_FILE) writeWhole(process.env.BROWSER_PAGE_FILE, `${callback.status}\n${page}`);

function writeWhole(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
if (held) {
  // A held connection keeps a careless server (and so osmo) alive; give up after a while either way.
  setTimeout(() => process.exit(0), 30_000).unref();
  held.on('close', () => process.exit(0));
}
