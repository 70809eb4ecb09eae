'use strict';
// The floor for a command that makes one request: the smallest Node program
// that does the same GET against the same local server and prints the body.
// CommonJS, as the smallest such program is (and as bin/osmo is): the same
// script as an ES module takes ~40 ms longer on Node 22 and later.
// Usage: node http-floor.cjs URL (BENCH_AUTHORIZATION holds the Authorization header).
const { get } = require('node:http');

get(process.argv[2], { headers: { authorization: process.env.BENCH_AUTHORIZATION ?? '' } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    process.stdout.write(`${body}\n`);
    if (res.statusCode !== 200) process.exitCode = 1;
  });
});
