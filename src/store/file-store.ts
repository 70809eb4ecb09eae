import { unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { CREDENTIALS_FILE } from '../config/paths.js';
import { checkConfigDir, readCheckedFile } from '../config/permissions.js';
import { secretsSchema, type CredentialStore, type Secrets } from './credential-store.js';

const fileSchema = z.object({
  version: z.literal(1),
  accounts: z.record(z.string(), secretsSchema),
});
type CredentialsFile = z.infer<typeof fileSchema>;

/**
 * The fallback where no keychain can be reached: credentials.json, mode 0600,
 * replaced atomically. Callers serialize writers with the config-dir lock.
 */
export class FileStore implements CredentialStore {
  readonly kind = 'file';
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, CREDENTIALS_FILE);
  }

  async get(account: string): Promise<Secrets | undefined> {
    return this.read().accounts[account];
  }

  async set(account: string, secrets: Secrets): Promise<void> {
    const file = this.read();
    file.accounts[account] = secrets;
    this.write(file);
  }

  async delete(account: string): Promise<boolean> {
    return (await this.deleteMany([account])).length > 0;
  }

  /** Removes these accounts with one rewrite of the file; returns the ones it held. */
  async deleteMany(accounts: string[]): Promise<string[]> {
    const file = this.read();
    const held = accounts.filter((account) => Object.hasOwn(file.accounts, account));
    if (!held.length) return [];
    for (const account of held) delete file.accounts[account];
    this.write(file);
    return held;
  }

  /** Removes the whole file, unread (logout of a damaged or exposed one); false when there was none. */
  remove(): boolean {
    try {
      unlinkSync(this.path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new UsageError(`cannot remove ${this.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }

  async accounts(): Promise<string[]> {
    return Object.keys(this.read().accounts);
  }

  private read(): CredentialsFile {
    // Secrets are read from, and written to, a file only this user can reach.
    checkConfigDir(dirname(this.path));
    const text = readCheckedFile(this.path, 'secret');
    if (text === undefined) return { version: 1, accounts: {} };
    try {
      return fileSchema.parse(JSON.parse(text));
    } catch {
      throw new UsageError(`${this.path} is damaged`, 'delete it and run `osmo login` again');
    }
  }

  private write(file: CredentialsFile): void {
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }
}
