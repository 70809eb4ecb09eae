// fs.promises, not node:fs/promises, which would load at every start (see secret-file.ts).
import * as fs from 'node:fs';
import type { IO } from '../io.js';
import { UsageError } from '../errors.js';

// Building the request of `osmo api` from its flags: where it may go, and its body.

/**
 * The request path relative to the server URL. Only endpoints under /api/ of
 * the current server are reachable: a URL naming another host would carry the
 * credential there, so it is refused.
 */
export function resolvePath(serverUrl: string, input: string, query: Array<[string, string]>): string {
  const base = new URL(serverUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  let candidate: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) {
    try {
      candidate = new URL(input);
    } catch {
      throw new UsageError(`"${input}" is not a valid URL`);
    }
    if (candidate.origin !== base.origin) {
      throw new UsageError(`refusing to send your credential to ${candidate.host}: osmo api only talks to the current server, ${base.origin}`, 'give a path such as /api/auth/access_token');
    }
  } else {
    const relative = input.startsWith('/') ? input : input.startsWith('api/') ? `/${input}` : `/api/${input}`;
    // Resolved on the server's origin so that "..", "//" and the like cannot leave it.
    candidate = new URL(`${base.origin}${basePath}${relative}`);
    if (candidate.origin !== base.origin) throw new UsageError(`"${input}" is not a path on ${base.origin}`);
  }
  if (!candidate.pathname.startsWith(`${basePath}/api/`)) {
    throw new UsageError(`"${input}" is not an OSMO API path: it must start with ${basePath}/api/`, 'for example: osmo api /api/auth/access_token');
  }
  for (const [key, value] of query) candidate.searchParams.append(key.replace(/\[\]$/, ''), value);
  return `${candidate.pathname.slice(basePath.length)}${candidate.search}`;
}

export function bodyFromFields(fields: Array<[string, unknown]>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of fields) {
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      const list = body[name];
      body[name] = Array.isArray(list) ? [...list, value] : [value];
    } else if (key in body) {
      throw new UsageError(`field "${key}" is given twice`, `use ${key}[]=VALUE for an array`);
    } else {
      body[key] = value;
    }
  }
  return body;
}

export async function readJsonInput(input: string, io: IO): Promise<unknown> {
  let text: string;
  if (input === '-') {
    const { readAllStdin } = await import('../prompt.js');
    text = await readAllStdin(io);
  } else {
    try {
      text = await fs.promises.readFile(input, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --input file ${input} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the --input body is not valid JSON: ${(err as Error).message}`, 'osmo api sends JSON bodies only');
  }
}

export function keyValue(raw: string, flag: string): [string, string] {
  const at = raw.indexOf('=');
  if (at <= 0) throw new UsageError(`invalid ${flag} "${raw}"`, `write it as ${flag} key=value`);
  return [raw.slice(0, at), raw.slice(at + 1)];
}

export function typed([key, value]: [string, string]): [string, unknown] {
  if (value === 'true' || value === 'false' || value === 'null') return [key, JSON.parse(value)];
  if (/^-?\d+(\.\d+)?$/.test(value)) return [key, Number(value)];
  return [key, value];
}
