import { ExitCode } from './errors.js';
import { main } from './program.js';

process.once('SIGINT', () => {
  // Every write is atomic, so stopping here leaves the previous state intact.
  process.stderr.write('\nInterrupted\n');
  process.exit(ExitCode.interrupted);
});

process.exitCode = await main(process.argv.slice(2));
