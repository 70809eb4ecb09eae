import { ExitCode } from './errors.js';
import { handleStopSignals } from './interrupt.js';

let finished = false;

// Ctrl-C and SIGTERM end osmo by the signal itself, so a calling shell stops too.
handleStopSignals();

// `osmo token list | head -1`: a closed pipe is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    finished = true;
    process.exit(process.exitCode ?? ExitCode.ok);
  });
}

// If the event loop ever drains before main() settles, never exit 0 silently.
process.once('exit', () => {
  if (!finished) {
    process.stderr.write('Error: osmo stopped before finishing; run again with --debug and report it\n');
    process.exitCode = ExitCode.server;
  }
});

// bin/osmo answers a lone `--version` itself, before this bundle loads.
const { main } = await import('./program.js');
process.exitCode = await main(process.argv.slice(2));
finished = true;
