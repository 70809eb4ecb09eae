// Issue 19, finding 3: the config and cache directories are checked as
// OpenSSH checks ~/.ssh, every directory on the way included, and their files
// are opened once and checked through the descriptor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useServer } from './helpers/fixtures.js';
import { runOsmo, tempDir } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { otherUser } from './helpers/other-user.js';

const server = useServer();

function login(configDir: string, name: string, env: Record<string, string> = {}): ReturnType<typeof runOsmo> {
  return runOsmo(['login', server().url, '--method', 'token', '--token', server().issuePat('user@example.com', name)], configDir, { env });
}

describe('finding 3: every directory on the way to the config directory', () => {
  it('a parent another user owns is refused before anything is sent or written', async (t) => {
    const neighbour = otherUser(t);
    if (!neighbour) return;
    const theirs = neighbour.ownDir(0o755);
    chmodSync(theirs, 0o755);
    // The user's own config directory, 0700, inside the neighbour's directory: they can rename it away.
    neighbour.sh(`chmod 777 ${theirs}`);
    const dir = join(theirs, 'osmo');
    mkdirSync(dir, { mode: 0o700 });
    neighbour.sh(`chmod 755 ${theirs}`);
    const before = server().count();
    const res = await login(dir, 'not-sent-owner');
    assertCleanFailure(res, { code: 2, message: new RegExp(`^${theirs}, on the way to the config directory ${dir}, belongs to another user \\(uid ${neighbour.uid}\\), who could replace the config directory$`) });
    assert.match(res.stderr, /\n {2}use a config directory elsewhere \(OSMO_CONFIG_DIR\)\n$/);
    assert.equal(server().count(), before, 'no request');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a group- or world-writable parent that is not sticky is refused with the chmod that fixes it; a sticky one (/tmp) is fine', async (t) => {
    const parent = tempDir('osmo-open-parent-');
    chmodSync(parent, 0o777);
    const dir = join(parent, 'osmo');
    const before = server().count();
    const open = await login(dir, 'not-sent-open');
    assertCleanFailure(open, {
      code: 2,
      message: new RegExp(`^${parent}, on the way to the config directory ${dir}, is writable by group and others \\(mode 777\\) and not sticky, so they could replace the config directory$`),
    });
    assert.match(open.stderr, new RegExp(`\\n {2}run \`chmod go-w ${parent}\` \\(or \`chmod \\+t ${parent}\`\\), or use a config directory elsewhere \\(OSMO_CONFIG_DIR\\)\\n$`));
    assert.equal(server().count(), before, 'no request');
    assert.equal(existsSync(dir), false, 'nothing created');

    chmodSync(parent, 0o775);
    assertCleanFailure(await login(dir, 'not-sent-group'), { code: 2, message: /is writable by its group \(mode 775\) and not sticky/ });

    chmodSync(parent, 0o1777);
    const sticky = await login(dir, 'sticky-ok');
    assert.equal(sticky.code, 0, sticky.stderr);
    assert.equal((await runOsmo(['token', 'list'], dir)).code, 0);

    // The neighbour's way in, had osmo not refused: once the parent is open again, every command refuses.
    chmodSync(parent, 0o777);
    assertCleanFailure(await runOsmo(['token', 'list'], dir), { code: 2, message: /and not sticky, so they could replace the config directory$/ });
    const neighbour = otherUser(t);
    if (!neighbour) return;
    neighbour.sh(`mv ${dir} ${parent}/moved && mkdir ${dir}`);
    assertCleanFailure(await runOsmo(['token', 'list'], dir), { code: 2, message: /belongs to another user/ });
  });

  it('a symbolic link on the way is followed and its target checked too', async () => {
    const open = tempDir('osmo-open-target-');
    chmodSync(open, 0o777);
    mkdirSync(join(open, 'real'), { mode: 0o700 });
    const home = tempDir('osmo-link-home-');
    symlinkSync(join(open, 'real'), join(home, 'linked'));
    const dir = join(home, 'linked', 'osmo');
    assertCleanFailure(await login(dir, 'not-sent-link'), { code: 2, message: new RegExp(`^${open}, on the way to the config directory ${dir}, is writable by group and others`) });
  });

  it('config.json and credentials.json are never read through a symbolic link', async () => {
    const dir = tempDir('osmo-linked-files-');
    assert.equal((await login(dir, 'linked-files')).code, 0);
    for (const name of ['config.json', 'credentials.json']) {
      const elsewhere = join(tempDir('osmo-elsewhere-'), name);
      writeFileSync(elsewhere, '{}', { mode: 0o600 });
      const path = join(dir, name);
      const real = `${path}.real`;
      const { renameSync } = await import('node:fs');
      renameSync(path, real);
      symlinkSync(elsewhere, path);
      assertCleanFailure(await runOsmo(['token', 'list'], dir), { code: 2, message: new RegExp(`^${path} is a symbolic link, not a regular file$`) });
      (await import('node:fs')).rmSync(path);
      renameSync(real, path);
    }
    assert.equal((await runOsmo(['token', 'list'], dir)).code, 0);
  });
});
