// Runs the local OSMO service on its own, for the demo and for trying every
// login method by hand: `npx tsx test/server/main.ts [--port N]`. The URL is
// the first stdout line so a parent process can read it and start talking;
// the users and their passwords follow on stderr (README: Development).
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
/** The users of the local service (test/server/osmo-server.ts), each with a password for --method password. */
export const LOCAL_USERS = [
  { user: 'user@example.com', password: 'user-password', roles: 'osmo-user, osmo-ml-team' },
  { user: 'admin@example.com', password: 'admin-password', roles: 'osmo-admin, osmo-user (the administrator)' },
];
for (const { user, password } of LOCAL_USERS) server.oauth.setPassword(user, password);
process.stderr.write(
  [
    'Users (user name / password / roles):',
    ...LOCAL_USERS.map((u) => `  ${u.user} / ${u.password} / ${u.roles}`),
    `Device codes are approved at ${server.url}/oauth/device/verify; a browser (pkce) login signs in as user@example.com.`,
    'Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
