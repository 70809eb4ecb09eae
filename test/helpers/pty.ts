import { spawn } from 'node:child_process';
import { OSMO_BIN, baseEnv } from './cli.js';

// A real pseudo-terminal of a chosen width, through python3's pty module:
// bin/osmo sees stdout.isTTY and stdout.columns exactly as in a terminal.
const PTY_RUNNER = `
import fcntl, os, pty, struct, sys, termios
columns = int(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 24, columns, 0, 0))
    os.execv(sys.argv[2], sys.argv[2:])
chunks = []
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(b''.join(chunks))
sys.exit(os.waitstatus_to_exitcode(status))
`;

export interface PtyResult {
  code: number | null;
  /** stdout and stderr as the terminal showed them, with the terminal's \r\n turned back into \n. */
  output: string;
}

/** Runs bin/osmo with a terminal of `columns` columns on stdin, stdout and stderr. */
export function runOsmoInPty(args: string[], configDir: string, columns: number, env: Record<string, string | undefined> = {}): Promise<PtyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', PTY_RUNNER, String(columns), process.execPath, OSMO_BIN, ...args], { env: baseEnv(configDir, env), stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    // Decoded as a stream, so a character split between two reads stays whole.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r\n/g, '\n') });
    });
  });
}
