import { spawn } from 'node:child_process';

/**
 * Best effort: the URL is already on the screen, so a browser that cannot be
 * started is only worth a warning. BROWSER (as in git, gh and Python's
 * webbrowser) wins: a command, with `%s` standing for the URL or else the URL
 * appended. Otherwise the `open` package picks the platform's opener.
 */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv, warn: (message: string) => void): Promise<void> {
  const browser = env.BROWSER?.trim();
  if (browser) return runBrowser(browser, url, warn);
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.on('error', () => {});
  } catch {
    /* no opener on this machine (SSH, container): the printed URL is enough */
  }
}

function runBrowser(command: string, url: string, warn: (message: string) => void): void {
  const words = command.split(/\s+/);
  const args = words.slice(1).map((w) => w.replace('%s', url));
  if (!words.some((w) => w.includes('%s'))) args.push(url);
  try {
    const child = spawn(words[0] ?? command, args, { stdio: 'ignore', detached: true });
    child.on('error', (err: NodeJS.ErrnoException) => warn(`could not start the browser "${words[0]}" from BROWSER (${err.code ?? err.message}); open the URL above yourself`));
    child.unref();
  } catch (err) {
    warn(`could not start the browser from BROWSER (${(err as Error).message}); open the URL above yourself`);
  }
}
