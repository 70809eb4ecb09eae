// The local server's RSA signing keys, kept between runs. Making a 2048-bit
// key costs 0.1-0.7 s of CPU, and nearly every test file starts a server or
// several (and rotates keys): per run of the suite that was tens of seconds
// of key generation. The n-th key a process asks for is read from
// rsa-2048-<n>.pem in a private cache directory, made and stored there when
// missing. Keys stay distinct within a process (a rotation, or two servers
// side by side, never share one); two test processes may hold the same key,
// which only their own servers use. They sign tokens for servers on
// 127.0.0.1 that live as long as a test: nothing of value rests on them.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), `osmo-test-keys-${process.getuid?.() ?? 'user'}`);
let taken = 0;
let dirUsable: boolean | undefined;

/** Ours and closed to others, or not used at all (a key planted there would sign for our servers). */
function usable(): boolean {
  if (dirUsable !== undefined) return dirUsable;
  try {
    mkdirSync(DIR, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return (dirUsable = false);
  }
  const st = lstatSync(DIR);
  dirUsable = st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
  return dirUsable;
}

/** The next key pair of this process: a stored one, or a new one that is then stored. */
export function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  const file = join(DIR, `rsa-2048-${taken++}.pem`);
  if (usable()) {
    try {
      const privateKey = createPrivateKey(readFileSync(file));
      if (privateKey.asymmetricKeyType === 'rsa' && privateKey.asymmetricKeyDetails?.modulusLength === 2048) {
        return { privateKey, publicKey: createPublicKey(privateKey) };
      }
    } catch {
      /* missing or damaged: made again below */
    }
  }
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (usable()) {
    try {
      // Whole or not at all, for a process reading it at the same moment.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      /* not kept: the next run makes it again */
    }
  }
  return pair;
}
