// Runs the local OSMO service on its own, for the demo and for poking at by
// hand: `tsx test/server/main.ts [--port N]`. The URL is the first stdout line
// so a parent process can read it and start talking.
import { startOsmoServer } from './osmo-server.js';

function portArg(argv: string[]): number | undefined {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port: ${raw}`);
    process.exit(2);
  }
  return port;
}

const server = await startOsmoServer({ port: portArg(process.argv.slice(2)) });
process.stdout.write(`${server.url}\n`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
