/**
 * The proxy the transport uses for `url`, so errors can name it: none for
 * plain http:// (credentials never cross a proxy in clear text); for https://
 * https_proxy, HTTPS_PROXY, then the http ones; no_proxy/NO_PROXY by host,
 * subdomain and port, `*` for none, by undici's EnvHttpProxyAgent's rules.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): { url: string; variable: string } | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const pick = (...names: string[]): { url: string; variable: string } | undefined => {
    const variable = names.find((name) => env[name]);
    return variable ? { url: env[variable]!, variable } : undefined;
  };
  if (target.protocol !== 'https:') return undefined;
  const proxy = pick('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY');
  if (!proxy) return undefined;
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || 443;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
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
