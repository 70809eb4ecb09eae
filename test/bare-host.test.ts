// A server named without its scheme, as `gh --hostname` takes it: a host
// means https://, a loopback host http://, and switch/logout/status find a
// stored login by its host and port. In-process: nothing here is a process's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { normalizeServerUrl, storedServerUrl } from '../src/util/url.js';

const server = useServer();

describe('a server URL without a scheme', () => {
  it('means https://, or http:// for a loopback host', () => {
    assert.equal(normalizeServerUrl('osmo.example.com'), 'https://osmo.example.com');
    assert.equal(normalizeServerUrl('osmo.example.com:8443/osmo/'), 'https://osmo.example.com:8443/osmo');
    assert.equal(normalizeServerUrl('127.0.0.1:8000'), 'http://127.0.0.1:8000');
    assert.equal(normalizeServerUrl('localhost:8000'), 'http://localhost:8000');
    assert.throws(() => normalizeServerUrl('not a url'), /not a server URL/);
  });

  it('finds the stored login on the same host and port whatever its scheme', () => {
    const stored = ['http://osmo.example.com:8080', 'https://other.example.com'];
    assert.equal(storedServerUrl('osmo.example.com:8080', stored), 'http://osmo.example.com:8080');
    assert.equal(storedServerUrl('other.example.com', stored), 'https://other.example.com');
    // A scheme typed is a scheme meant.
    assert.equal(storedServerUrl('https://osmo.example.com:8080', stored), 'https://osmo.example.com:8080');
  });

  it('logs in, switches, shows status and logs out by host:port', async () => {
    const { osmo } = inProcessUser();
    const hostPort = server().url.replace(/^http:\/\//, '');
    const login = await osmo(['login', hostPort, '--method', 'dev', '--username', 'alice@example.com']);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`^Logging in to ${server().url}\\n`));
    const switched = await osmo(['switch', hostPort]);
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(switched.stdout, new RegExp(`Switched to ${server().url} \\(dev login as alice@example.com\\)`));
    const status = await osmo(['status', hostPort, '--offline', '-t', 'json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout)[0].server, server().url);
    const logout = await osmo(['logout', hostPort]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(logout.stdout, `Successfully logged out of ${server().url}.\n`);
  });

  it('takes a bare host name as https:// at login', async () => {
    const { osmo } = inProcessUser();
    const res = await osmo(['login', 'osmo.invalid', '--method', 'dev', '--username', 'alice'], { env: { OSMO_HTTP_TIMEOUT: '5' } });
    assert.match(res.stdout, /^Logging in to https:\/\/osmo\.invalid\n/);
    assert.doesNotMatch(res.stderr, /not a server URL/);
  });
});
