// A real pseudo-terminal, through python3's pty module, as a person at a
// terminal has it: bin/osmo sees a TTY on stdin, stdout and stderr (of a
// chosen width), and can be sent keystrokes once some text has appeared
// (Ctrl-C is "\x03"). A command line can run under `bash -c`, so a test can
// check what the shell does after osmo ends (`osmo …; echo AFTER`).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OSMO_BIN, baseEnv } from './cli.js';

const DRIVER = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
config = json.loads(sys.argv[1])
keys = config['keys']
pid, fd = pty.fork()
if pid == 0:
    if config['columns']:
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 24, config['columns'], 0, 0))
    os.execvp(config['argv'][0], config['argv'])
out = b''
deadline = time.time() + config['timeout']
while time.time() < deadline:
    if keys and keys[0][0].encode() in out:
        time.sleep(0.2)
        os.write(fd, keys.pop(0)[1].encode())
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'output': out.decode('utf-8', 'replace'),
    'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    'code': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}))
`;

export interface PtyResult {
  /** Everything written to the terminal (stdout and stderr together). */
  output: string;
  /** The exit code, or null when the process was killed by a signal. */
  code: number | null;
  /** The signal number that ended the process, if one did. */
  signal?: number | null;
}

interface PtyRun {
  argv: string[];
  env: Record<string, string>;
  columns?: number;
  keys?: Array<{ after: string; send: string }>;
  timeoutMs?: number;
}

function runPty(run: PtyRun): Promise<Required<PtyResult>> {
  const config = { argv: run.argv, columns: run.columns ?? 0, keys: (run.keys ?? []).map((k) => [k.after, k.send]), timeout: (run.timeoutMs ?? 30_000) / 1000 };
  return new Promise((resolve, reject) => {
    const child = spawn(ptyPython() ?? 'python3', ['-c', DRIVER, JSON.stringify(config)], { env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout) as Required<PtyResult>);
      } catch {
        reject(new Error(`pty driver failed: ${stderr}`));
      }
    });
  });
}

// The interpreter test/build-tests.mjs found for this run (python3 with a pty
// module, past any version manager's shim); else python3 from PATH, checked here.
const RESOLVED_PYTHON = fileURLToPath(new URL('../../.test-build/pty-python', import.meta.url));
let python: string | null | undefined;

function ptyPython(): string | null {
  if (python !== undefined) return python;
  try {
    python = readFileSync(RESOLVED_PYTHON, 'utf8').trim() || null;
  } catch {
    python = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0 ? 'python3' : null;
  }
  return python;
}

export function havePty(): boolean {
  return ptyPython() !== null;
}

/** Runs bin/osmo with a terminal of `columns` columns; the output with the terminal's \r\n turned back into \n. */
export async function runOsmoInPty(args: string[], configDir: string, columns: number, env: Record<string, string | undefined> = {}): Promise<PtyResult> {
  const res = await runPty({ argv: [process.execPath, OSMO_BIN, ...args], env: baseEnv(configDir, env), columns });
  return { code: res.code, output: res.output.replace(/\r\n/g, '\n') };
}

/** Runs `bash -c command` on a terminal; each key is typed once its `after` text has been shown. */
export function runInPty(command: string, env: Record<string, string>, keys: Array<{ after: string; send: string }> = [], timeoutMs = 20_000): Promise<Required<PtyResult>> {
  return runPty({ argv: ['bash', '-c', command], env, keys, timeoutMs });
}
