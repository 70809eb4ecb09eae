import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Keyring from '@napi-rs/keyring';
import { lazyRequire } from '../util/lazy-require.js';

/** What osmo uses of @napi-rs/keyring's native part. */
export type KeyringBinding = Pick<typeof Keyring, 'AsyncEntry' | 'findCredentialsAsync'>;

/**
 * @napi-rs/keyring's prebuilt packages (`@napi-rs/keyring-SUFFIX`, holding
 * `keyring.SUFFIX.node`) for each Node platform and architecture, from its
 * package.json (`napi.targets`). npm installs the one that fits the machine
 * (by `os`, `cpu` and `libc`); the others are absent.
 */
const PREBUILT: Readonly<Record<string, readonly string[]>> = {
  'linux-x64': ['linux-x64-gnu', 'linux-x64-musl'],
  'linux-arm64': ['linux-arm64-gnu', 'linux-arm64-musl'],
  'linux-arm': ['linux-arm-gnueabihf'],
  'linux-riscv64': ['linux-riscv64-gnu'],
  'darwin-x64': ['darwin-x64'],
  'darwin-arm64': ['darwin-arm64'],
  'win32-x64': ['win32-x64-msvc'],
  'win32-ia32': ['win32-ia32-msvc'],
  'win32-arm64': ['win32-arm64-msvc'],
  'freebsd-x64': ['freebsd-x64'],
};

/** Why there is no keychain binding; said to the user as is. */
export class BindingUnavailable extends Error {}

/**
 * Loads the keychain binding from osmo's own installation only: the
 * prebuilt `.node` file under the node_modules beside osmo's package.json,
 * checked (symbolic links resolved) to lie inside it. Never require() by
 * name: a module missing there would be looked up in every ancestor
 * directory's node_modules (and NODE_PATH), where another user of the machine
 * can put one that receives every secret (issue 19, finding 2). The package's
 * own index.js is not run for the same reason: it falls back to lookups by
 * name and to a path from the environment.
 */
export function loadKeyringBinding(from: string = fileURLToPath(import.meta.url), platform = `${process.platform}-${process.arch}`): KeyringBinding {
  const modules = ownNodeModules(dirname(from));
  const suffixes = PREBUILT[platform];
  if (!suffixes) throw new BindingUnavailable(`@napi-rs/keyring has no prebuilt binary for ${platform}`);
  const failures: string[] = [];
  for (const file of candidates(modules, suffixes)) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue; // not installed there
    }
    if (!real.startsWith(modules + sep)) {
      failures.push(`${file} leads outside osmo's installation`);
      continue;
    }
    try {
      const binding = lazyRequire(real) as Partial<KeyringBinding>;
      if (typeof binding.AsyncEntry === 'function' && typeof binding.findCredentialsAsync === 'function') return binding as KeyringBinding;
      failures.push(`${real} is not @napi-rs/keyring`);
    } catch (err) {
      failures.push(`${real} could not be loaded (${firstLine(err)})`);
    }
  }
  throw new BindingUnavailable(failures[0] ?? `@napi-rs/keyring is not installed in ${modules}`);
}

/** Where npm puts the prebuilt package: hoisted beside @napi-rs/keyring, or nested inside it (`--install-strategy`). */
function candidates(modules: string, suffixes: readonly string[]): string[] {
  const scopes = [join(modules, '@napi-rs')];
  try {
    const main = realpathSync(join(modules, '@napi-rs', 'keyring'));
    if (main.startsWith(modules + sep)) scopes.push(dirname(main), join(main, 'node_modules', '@napi-rs'));
  } catch {
    /* no main package: the prebuilt one alone still works */
  }
  return [...new Set(scopes)].flatMap((scope) => suffixes.map((suffix) => join(scope, `keyring-${suffix}`, `keyring.${suffix}.node`)));
}

/**
 * The node_modules of the osmo installation this file belongs to: beside the
 * nearest package.json above it (dist/osmo.cjs, or src/store/ in a checkout),
 * which must be osmo's own.
 */
function ownNodeModules(from: string): string {
  for (let level = 0, dir = from; level < 3; level++, dir = dirname(dir)) {
    let text: string;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    let name: unknown;
    try {
      name = (JSON.parse(text) as { name?: unknown }).name;
    } catch {
      break;
    }
    if (name !== 'osmo-cli') break;
    try {
      return realpathSync(join(dir, 'node_modules'));
    } catch {
      throw new BindingUnavailable(`@napi-rs/keyring is not installed (${dir} has no node_modules)`);
    }
  }
  throw new BindingUnavailable(`osmo's own package.json was not found above ${from}`);
}

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
