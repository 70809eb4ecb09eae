export interface ProxySettings {
  /** The proxy for https:// requests and the variable that named it; none when undefined. */
  https?: { url: string; variable: string };
  /** The hosts that bypass it (no_proxy/NO_PROXY), comma- or space-separated. */
  noProxy: string;
}

/**
 * The one reading of the proxy variables, for the transport and for the
 * errors that name its proxy. Each setting comes from the first of its
 * variables that is set and not empty, lower case before upper case, as
 * curl reads them: `https_proxy=` is as good as unset and does not hide
 * HTTPS_PROXY. For https://, https_proxy, HTTPS_PROXY, then the http ones
 * (a proxy only tunnels TLS). Plain http:// never uses a proxy (credentials
 * never cross one in clear text), so no variable is read for it.
 */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const first = (...names: string[]): { url: string; variable: string } | undefined => {
    const variable = names.find((name) => env[name]);
    return variable ? { url: env[variable]!, variable } : undefined;
  };
  return { https: first('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'), noProxy: first('no_proxy', 'NO_PROXY')?.url ?? '' };
}

/**
 * The proxy the transport uses for `url` (proxySettings()), so errors can
 * name it: none for plain http://; no_proxy by host, subdomain and port,
 * `*` for none, by undici's EnvHttpProxyAgent's rules.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): { url: string; variable: string } | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'https:') return undefined;
  const { https: proxy, noProxy } = proxySettings(env);
  if (!proxy) return undefined;
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || 443;
  if (noProxy.trim() === '*') return undefined;
  for (const entry of noProxy.split(/[,\s]/).filter(Boolean)) {
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (parsed && Number(parsed[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  return proxy;
}

/** A proxy URL as it may be shown: scheme, host and port, never a user name or password. */
export function shownProxy(proxyUrl: string): string {
  try {
    const url = new URL(proxyUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'the proxy';
  }
}
