import { Command } from 'commander';
import type { Context } from '../context.js';
import { ApiError, UsageError, exitCodeForStatus } from '../errors.js';
import { bodyFromFields, keyValue, readJsonInput, resolvePath, typed } from '../api/raw-request.js';
import { collect } from '../output.js';
import type { HttpRequest, HttpResponse } from '../http/transport.js';

type Method = HttpRequest['method'];
const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface ApiOptions {
  method: Method;
  /** As typed: /api/..., api/..., a path under /api/, or a URL on the current server. */
  path: string;
  /** -f (strings) and -F (typed) fields in order: the query for GET/DELETE or with --input, else the JSON body. */
  fields: Array<[string, unknown]>;
  /** -q: always query parameters. */
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** --input: a file, or '-' for stdin, holding a JSON body. */
  input?: string;
  include: boolean;
}

interface RawFlags {
  field?: string[];
  typedField?: string[];
  query?: string[];
  header?: string[];
  input?: string;
  include?: boolean;
}

export function apiCommand(getContext: () => Context): Command {
  return new Command('api')
    .description('Send an authenticated request to any OSMO endpoint and print the response')
    .usage('[options] [METHOD] PATH')
    .argument('[METHOD]', 'GET, POST, PUT, PATCH or DELETE; default GET, or POST with --input')
    .argument('[PATH]', 'endpoint path under /api/ (e.g. /api/auth/access_token), or a URL on the current server')
    .option('-f, --field <key=value>', 'a string field (repeatable): query parameter for GET/DELETE or with --input, else a JSON body member; key[]=v builds an array', collect)
    .option('-F, --typed-field <key=value>', 'like -f, but true, false, null and numbers keep their JSON type', collect)
    .option('-q, --query <key=value>', 'a query parameter, whatever the method (repeatable)', collect)
    .option('-H, --header <"Name: value">', 'an extra request header (repeatable)', collect)
    .option('--input <file>', 'read the JSON request body from a file, or "-" for standard input')
    .option('-i, --include', 'print the HTTP status line and response headers before the body')
    .addHelpText(
      'after',
      [
        '',
        'The response body is printed on stdout, pretty-printed when it is JSON. For a status other',
        'than 2xx the body goes to stderr and the exit code is 2 (4xx), 75 (429) or 10 (5xx).',
        '',
        'Examples:',
        '  $ osmo api /api/auth/access_token',
        "  $ osmo api /api/auth/access_token | jq -r '.[].token_name'",
        '  $ osmo api POST /api/auth/access_token/ci-token -q expires_at=2027-01-01 -q roles=osmo-user',
        '  $ osmo api DELETE /api/auth/access_token/ci-token',
        '  $ osmo api PUT /api/some/resource --input body.json',
        '  $ echo \'{"name": "x"}\' | osmo api POST /api/some/resource --input -',
        '  $ osmo api -i GET /api/auth/login -H "Accept: application/json"',
      ].join('\n'),
    )
    .action((first: string | undefined, second: string | undefined, flags: RawFlags) => runApi(parseApiArgs(first, second, flags), getContext()));
}

/** Turns the command line into an ApiOptions; every mistake is caught here, before any request. */
export function parseApiArgs(first: string | undefined, second: string | undefined, flags: RawFlags): ApiOptions {
  if (first === undefined) throw new UsageError('missing PATH', 'for example: osmo api /api/auth/access_token');
  let method: Method = flags.input !== undefined ? 'POST' : 'GET';
  let path = first;
  if (second !== undefined) {
    const upper = first.toUpperCase();
    if (!METHODS.includes(upper as Method)) throw new UsageError(`unknown HTTP method "${first}"`, `use one of ${METHODS.join(', ')}`);
    method = upper as Method;
    path = second;
  } else if (METHODS.includes(first.toUpperCase() as Method)) {
    throw new UsageError(`missing PATH after ${first.toUpperCase()}`, `for example: osmo api ${first.toUpperCase()} /api/auth/access_token`);
  }
  const headers: Record<string, string> = {};
  for (const raw of flags.header ?? []) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(raw);
    if (!m) throw new UsageError(`invalid header "${raw}"`, 'write it as -H "Name: value"');
    const name = m[1]!.toLowerCase();
    if (name === 'authorization') throw new UsageError('osmo api sends the credential of the current login; it does not take an Authorization header', 'to use another token, set OSMO_URL and OSMO_TOKEN');
    headers[name] = m[2]!;
  }
  return {
    method,
    path,
    fields: [...(flags.field ?? []).map((f) => keyValue(f, '-f')), ...(flags.typedField ?? []).map((f) => typed(keyValue(f, '-F')))],
    query: (flags.query ?? []).map((q) => keyValue(q, '-q')),
    headers,
    input: flags.input,
    include: Boolean(flags.include),
  };
}

export async function runApi(opts: ApiOptions, ctx: Context): Promise<void> {
  const target = await ctx.target();
  const body = opts.input !== undefined ? await readJsonInput(opts.input, ctx.io) : undefined;
  const fieldsInQuery = opts.input !== undefined || opts.method === 'GET' || opts.method === 'DELETE';
  const path = resolvePath(target.url, opts.path, [...opts.query, ...(fieldsInQuery ? opts.fields.map(([k, v]): [string, string] => [k, String(v)]) : [])]);
  const json = body ?? (!fieldsInQuery && opts.fields.length ? bodyFromFields(opts.fields) : undefined);

  const res = await target.client.raw(opts.method, path, json, opts.headers);
  const ok = res.status >= 200 && res.status < 300;
  const text = prettyBody(res.text);
  let output = `${opts.include ? statusAndHeaders(res) : ''}${text && !text.endsWith('\n') ? `${text}\n` : text}`;
  if (ok) {
    ctx.io.stdout.write(output);
    return;
  }
  // An error page that echoes the request (some proxies do) must not put the JWT in a CI log.
  if (target.jwt) {
    const { redactSecrets } = await import('../http/redact.js');
    output = redactSecrets(output, [await target.jwt().catch(() => undefined)]);
  }
  // On stderr it is a message, not data: nothing in it may act on the terminal (line breaks stay).
  const { terminalSafe } = await import('../util/display-text.js');
  ctx.io.stderr.write(output.split('\n').map(terminalSafe).join('\n'));
  throw failure(opts.method, path, res);
}

function prettyBody(text: string): string {
  if (!text.trim()) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function statusAndHeaders(res: HttpResponse): string {
  const lines = [`HTTP ${res.status}`];
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\n')}\n\n`;
}

function failure(method: Method, path: string, res: HttpResponse): ApiError {
  const where = `${method} ${path.split('?')[0]}`;
  const code = exitCodeForStatus(res.status);
  const hint =
    res.status === 429 ? 'wait and run the command again'
    : res.status === 403 ? 'your login lacks the permission; `osmo whoami` shows its roles'
    : res.status === 404 || res.status === 405 ? 'check the method and path against the OSMO API'
    : code === 10 ? 'try again later; if it persists, contact the OSMO administrators'
    : undefined;
  return new ApiError(`${where} failed with HTTP ${res.status}${res.text.trim() ? ' (response body above)' : ''}`, res.status, hint);
}
