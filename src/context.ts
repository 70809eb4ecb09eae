import type { OsmoClient, Authenticator } from './api/client.js';
import type { Transport } from './http/transport.js';
import type { State, ServerState } from './config/state.js';
import type { Lock } from './session/lock.js';
import { configDir } from './config/paths.js';
import { AuthError, UsageError } from './errors.js';
import { println, type IO } from './io.js';

declare const __OSMO_VERSION__: string;
export const VERSION = typeof __OSMO_VERSION__ === 'string' ? __OSMO_VERSION__ : '0.0.0-dev';

/** The server a command acts on and how it authenticates there. */
export interface Target {
  url: string;
  client: OsmoClient;
  session: Authenticator;
  /** undefined in CI mode (OSMO_URL + OSMO_TOKEN). */
  server?: ServerState;
  /** A JWT valid for at least 30 s more, renewed first when needed; undefined for a dev login (no token exists). */
  jwt?: () => Promise<string>;
}

/**
 * The one place that wires real dependencies. Everything heavy (undici, zod,
 * keytar, the lock) is imported on first use so `--help` and `--version`
 * never pay for it.
 */
export class Context {
  readonly configDir: string;
  readonly debug: boolean;
  private transportPromise: Promise<Transport> | undefined;

  constructor(
    readonly io: IO,
    readonly env: NodeJS.ProcessEnv,
    opts: { debug?: boolean } = {},
  ) {
    this.configDir = configDir(env);
    this.debug = Boolean(opts.debug) || env.OSMO_DEBUG === '1' || env.OSMO_DEBUG === 'true';
  }

  warn(message: string): void {
    println(this.io.stderr, `Warning: ${message}`);
  }

  notice(message: string): void {
    println(this.io.stderr, message);
  }

  transport(): Promise<Transport> {
    this.transportPromise ??= import('./http/transport.js').then(
      ({ Transport }) =>
        new Transport({
          userAgent: `osmo-cli/${VERSION} (node ${process.versions.node}; ${process.platform})`,
          timeoutMs: httpTimeoutMs(this.env),
          maxRetries: 3,
          caFile: this.env.OSMO_CA_FILE || undefined,
          debug: this.debug ? (line) => println(this.io.stderr, `[debug] ${line}`) : undefined,
        }),
    );
    return this.transportPromise;
  }

  /** Releases network resources once the command has finished. */
  async close(): Promise<void> {
    const transport = await this.transportPromise?.catch(() => undefined);
    await transport?.close();
  }

  async client(url: string, auth?: Authenticator): Promise<OsmoClient> {
    const [{ OsmoClient }, transport] = await Promise.all([import('./api/client.js'), this.transport()]);
    return new OsmoClient(transport, url, auth, (message) => this.warn(message));
  }

  async state(): Promise<State> {
    const { readState } = await import('./config/state.js');
    return readState(this.configDir);
  }

  async lock(): Promise<Lock> {
    const { configDirLock } = await import('./session/lock.js');
    return configDirLock(this.configDir);
  }

  /** The current login (or OSMO_URL + OSMO_TOKEN), ready for API calls. */
  async target(): Promise<Target> {
    // A mistyped OSMO_CREDENTIAL_STORE is an error for every command, not only at login.
    (await import('./store/choose-store.js')).forcedStore(this.env);
    const envToken = this.env.OSMO_TOKEN?.trim();
    if (envToken) return this.envTarget(envToken);
    const state = await this.state();
    const url = state.current;
    const server = url ? state.servers[url] : undefined;
    if (!url || !server) {
      throw new AuthError('you are not logged in', 'run `osmo login URL --method token --token-file FILE` (or set OSMO_URL and OSMO_TOKEN)');
    }
    if (server.method === 'dev') {
      const { DevSession } = await import('./session/session.js');
      const session = new DevSession(server.username ?? '');
      return { url, server, session, client: await this.client(url, session) };
    }
    const [{ JwtSession }, { openStore }, { renewerFor }] = await Promise.all([
      import('./session/session.js'),
      import('./store/choose-store.js'),
      import('./session/renewers.js'),
    ]);
    if (server.method === 'token') {
      const { patExpiryWarning } = await import('./session/pat-expiry.js');
      const warning = patExpiryWarning(server.tokenName, server.patExpiresAt, new Date(), url);
      if (warning) this.warn(warning);
    }
    const store = await openStore(server.store ?? 'file', this.env, this.configDir);
    const anonymous = await this.client(url);
    const session = new JwtSession({
      account: url,
      store,
      lock: await this.lock(),
      renew: await renewerFor(server, anonymous, this),
      source: `the stored ${server.method} login for ${url}`,
      recovery: `run \`osmo login ${url} --method ${server.method}\` again`,
    });
    return { url, server, session, client: await this.client(url, session), jwt: () => session.validJwt() };
  }

  // CI mode: nothing is read from or written to the config directory.
  private async envTarget(pat: string): Promise<Target> {
    const rawUrl = this.env.OSMO_URL?.trim();
    if (!rawUrl) throw new UsageError('OSMO_TOKEN is set but OSMO_URL is not', 'set OSMO_URL to the service URL, e.g. https://osmo.example.com');
    const [{ normalizeServerUrl, isInsecureRemote }, { JwtSession }, { MemoryStore }, { noLock }, { patRenewer }] = await Promise.all([
      import('./util/url.js'),
      import('./session/session.js'),
      import('./store/credential-store.js'),
      import('./session/lock.js'),
      import('./session/pat-renew.js'),
    ]);
    const url = normalizeServerUrl(rawUrl);
    if (isInsecureRemote(url) && this.env.OSMO_ALLOW_INSECURE_HTTP !== '1') {
      throw new UsageError(`refusing to send OSMO_TOKEN over plain http:// to ${new URL(url).host}`, 'use https://, or set OSMO_ALLOW_INSECURE_HTTP=1 if you accept the risk');
    }
    const store = new MemoryStore();
    await store.set(url, { pat });
    const renew = patRenewer(await this.client(url));
    const session = new JwtSession({
      account: url,
      store,
      lock: noLock,
      // A stale OSMO_TOKEN silently hides a good stored login: name it, and the way out.
      renew: (secrets) => renew(secrets).catch(async (err: unknown) => Promise.reject(await this.envTokenRefused(err))),
      source: 'OSMO_TOKEN in the environment',
      recovery: 'set OSMO_TOKEN to a valid personal access token, or unset it to use your stored login',
    });
    return { url, session, client: await this.client(url, session), jwt: () => session.validJwt() };
  }

  private async envTokenRefused(err: unknown): Promise<unknown> {
    if (!(err instanceof AuthError)) return err;
    // Only the hint depends on the stored state; a broken config file must not hide the real error.
    const state = await this.state().catch(() => undefined);
    const stored = state?.current && state.servers[state.current] ? state.current : undefined;
    return new AuthError(
      `OSMO_TOKEN in the environment was refused: ${err.message}`,
      stored ? `unset OSMO_TOKEN to use your stored login for ${stored}, or set OSMO_TOKEN to a valid token` : 'set OSMO_TOKEN to a valid personal access token (create one with `osmo token set`)',
    );
  }
}

function httpTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.OSMO_HTTP_TIMEOUT;
  if (raw === undefined || raw === '') return 60_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`OSMO_HTTP_TIMEOUT must be a positive number of seconds, not "${raw}"`);
  }
  return Math.round(seconds * 1000);
}
