// The floor for a command that makes one request: the smallest Node program
// that does the same GET against the same local server and prints the body.
// An ES module, like osmo. Usage: node http-floor.mjs URL (BENCH_AUTHORIZATION
// holds the Authorization header).
import { get } from 'node:http';

get(process.argv[2], { headers: { authorization: process.env.BENCH_AUTHORIZATION ?? '' } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    process.stdout.write(`${body}\n`);
    if (res.statusCode !== 200) process.exitCode = 1;
  });
});
