import { ExitCode } from './errors.js';
import { handleStopSignals } from './interrupt.js';

// The bundle's entry (dist/osmo.cjs), run by bin/osmo, which answers a lone
// `--version` itself before loading it.

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

void import('./program.js')
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
    finished = true;
  });
