import { createRequire } from 'node:module';

/**
 * require() for what osmo loads only when a command needs it and never
 * bundles: the keychain binding (native, by its path) and node:tls. Not import(): the bundle is
 * CommonJS run through V8's code cache (bin/run-bundle.js), where import()
 * needs a loader callback that Node 20 marks experimental.
 */
export const lazyRequire = createRequire(import.meta.url);
