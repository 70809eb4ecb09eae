// `token list` always fits a terminal, checked in a real pseudo-terminal at
// 40, 60 and 80 columns: Description is cut, then dropped, then each token
// becomes a block of `Label: value` lines; piped output is unchanged.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { futureDate, newUser, useServer } from './helpers/fixtures.js';
import { havePty, runOsmoInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';
import { fitList } from '../src/util/fit-table.js';
import { renderTable } from '../src/util/table.js';

const server = useServer();
const USER = 'fit@example.com';
const NAME = 'a-rather-long-token-name-for-builds';
const DESCRIPTION = 'Deploys the nightly build to the staging cluster';
const user = newUser();

// Every case reads the one login (its JWT fresh: nothing is written): they run at once.
describe('token list always fits', { concurrency: true }, () => {
  before(async () => {
    server().issuePat(USER, NAME, { description: DESCRIPTION, expiresAt: futureDate(10) });
    server().issuePat(USER, 'ci', { description: 'CI', expiresAt: futureDate(-1) });
    assert.equal((await user.osmo(['login', server().url, '--method', 'dev', '--username', USER])).code, 0);
  });

  const inPty = async (t: { skip(reason: string): void }, columns: number): Promise<string[] | undefined> => {
    if (!havePty()) {
      skipOrFail(t as Parameters<typeof skipOrFail>[0], 'python3 with its pty module is needed for a pseudo-terminal');
      return undefined;
    }
    const res = await runOsmoInPty(['token', 'list'], user.dir, columns);
    assert.equal(res.code, 0, res.output);
    const lines = res.output.trimEnd().split('\n');
    for (const line of lines) assert.ok(line.length <= columns, `${columns} columns: ${JSON.stringify(line)}`);
    return lines;
  };

  it('80 columns: Description is dropped rather than cut below 10 columns; the other columns whole', async (t) => {
    const lines = await inPty(t, 80);
    if (!lines) return;
    assert.match(lines[1]!, /^\| Name +\| Active +\| Expires At \(UTC\) \|$/);
    assert.ok(lines.some((l) => l.startsWith(`| ${NAME} | Active  | ${futureDate(10)} `)), lines.join('\n'));
  });

  for (const columns of [60, 40]) {
    it(`${columns} columns: each token is a block of Label: value lines, as status prints a login`, async (t) => {
      const lines = await inPty(t, columns);
      if (!lines) return;
      const blocks = lines.join('\n').split('\n\n');
      assert.equal(blocks.length, 2);
      assert.match(blocks[0]!, columns === 60 ? new RegExp(`^Name: +${NAME}\\n`) : new RegExp(`^Name:\\n {2}${NAME}\\n`));
      assert.match(blocks[0]!, /\nDescription: +Deploys the /);
      assert.match(blocks[0]!, new RegExp(`\\nActive: +Active\\nExpires At \\(UTC\\): +${futureDate(10)}$`));
      assert.equal(blocks[1], ['Name:             ci', 'Description:      CI', 'Active:           Expired', `Expires At (UTC): ${futureDate(-1)}`].join('\n'));
    });
  }

  it('piped: the whole table, unchanged', async () => {
    const res = await user.osmo(['token', 'list']);
    assert.ok(res.stdout.includes(`| ${NAME} | ${DESCRIPTION} | Active  |`), res.stdout);
  });

  it('fitList: a table that fits is the table; Description is cut down to 10 columns, no further', () => {
    const head = ['Name', 'Description', 'Active', 'Expires At (UTC)'];
    const rows = [['build', 'x'.repeat(40), 'Active', '2027-01-01']];
    assert.equal(fitList(head, rows, { width: 200, column: 1 }), renderTable(head, rows));
    const at = (width: number): string => fitList(head, rows, { width, column: 1 }).split('\n')[1]!;
    // Name 5, Active 6, Expires 16 and Description 10, with 5 borders and 8 spaces of padding: 50.
    assert.match(at(50), /^\| Name +\| Descripti… \| Active \|/);
    assert.match(at(49), /^\| Name +\| Active \| Expires At \(UTC\) \|$/);
  });
});
