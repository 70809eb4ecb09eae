import { spawn, type ChildProcess } from 'node:child_process';

/** How starting the browser ended: it is running (or handed the URL on), or why it could not. */
export type BrowserOutcome = { opened: true } | { opened: false; reason: string };

/**
 * osmo's own settings and secrets (OSMO_TOKEN, and the Python client's
 * OSMO_LOGIN_TOKEN and OSMO_LOGIN_PASSWORD) are no business of a browser.
 */
export function browserEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^OSMO_/i.test(key)));
}

/**
 * Starts a browser on `url`. BROWSER (as in git, gh and Python's webbrowser)
 * wins: a command, with `%s` standing for the URL or else the URL appended.
 * Otherwise the `open` package picks the platform's opener. The outcome
 * settles when the opener fails or exits, and stays pending while a browser
 * started from BROWSER keeps running: the caller need not wait for it.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<BrowserOutcome> {
  const browser = env.BROWSER?.trim();
  if (browser) return watch(startBrowser(browser, url, env), `the browser "${browser.split(/\s+/)[0]}" from BROWSER`);
  let child: ChildProcess;
  try {
    const { default: open } = await import('open');
    child = await withEnv(browserEnv(env), () => open(url));
  } catch (err) {
    return { opened: false, reason: `no way to open a browser was found (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  return watch(child, 'the system\'s browser opener');
}

function startBrowser(command: string, url: string, env: NodeJS.ProcessEnv): ChildProcess {
  const words = command.split(/\s+/);
  const args = words.slice(1).map((w) => w.replace('%s', url));
  if (!words.some((w) => w.includes('%s'))) args.push(url);
  return spawn(words[0] ?? command, args, { stdio: 'ignore', detached: true, env: browserEnv(env) });
}

function watch(child: ChildProcess, what: string): Promise<BrowserOutcome> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ opened: false, reason: `${what} could not be started (${err.code ?? err.message})` }));
    child.once('exit', (code, signal) => resolve(code === 0 ? { opened: true } : { opened: false, reason: `${what} failed (${signal ?? `exit code ${code}`})` }));
    child.unref();
  });
}

/**
 * The `open` package starts its opener with the environment of this process
 * and takes none of its own, so process.env is narrowed while open() runs
 * (it awaits before and after its spawn) and then restored. Only OSMO_*
 * variables go (browserEnv), and only osmo reads those: from Context's own
 * copy of the environment, which this leaves alone.
 */
async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const removed = Object.entries(process.env).filter(([key]) => !(key in env));
  for (const [key] of removed) delete process.env[key];
  try {
    return await fn();
  } finally {
    for (const [key, value] of removed) process.env[key] = value;
  }
}
