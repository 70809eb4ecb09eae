import { homedir } from 'node:os';
import { join } from 'node:path';

/** SPEC.md section 3: OSMO_CONFIG_DIR, then the Python client's variable, then XDG. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.OSMO_CONFIG_DIR) return env.OSMO_CONFIG_DIR;
  if (env.OSMO_CONFIG_FILE_DIR) return env.OSMO_CONFIG_FILE_DIR;
  const xdg = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(xdg, 'osmo');
}

export const CONFIG_FILE = 'config.json';
export const CREDENTIALS_FILE = 'credentials.json';
export const LOCK_FILE = 'state.lock';
