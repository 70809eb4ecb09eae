// The parts of undici this client uses, loaded without the rest: its index
// also loads fetch, WebSocket, caches and mocks, which tripled the time a
// command spent loading the HTTP stack. This mirrors what undici's index does
// to give every dispatcher its request() method.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';

Object.assign(Dispatcher.prototype, api);

// undici parses HTTP with llhttp compiled to WebAssembly. Node 20's V8 (11.3)
// compiles it with its baseline compiler (Liftoff), then again optimised in
// the background, and the process cannot exit before that second compile
// ends: measured, twice the instructions of the whole command and ~90 ms more
// for speed no CLI-sized response needs. Its other ways out are worse there:
// --no-wasm-tier-up makes V8 11 compile with the optimising compiler alone
// (2.4x), and raising --wasm-tiering-budget to V8 12's default still tiers up
// (1.3x). So Node 20 gets --liftoff-only, which V8 labels "for testing" but
// which that frozen V8 will keep. V8 12 and later (Node 22+) compile wasm
// lazily and tier up only past a budget no osmo response reaches: the flag
// changes nothing there (measured), so it is not set. bin/run-bundle.js sets
// it, before the bundle is compiled: V8 keys its code cache on its flags.

export { default as EnvHttpProxyAgent } from 'undici/lib/dispatcher/env-http-proxy-agent.js';
export { default as RetryAgent } from 'undici/lib/dispatcher/retry-agent.js';
export { ClientDestroyedError } from 'undici/lib/core/errors.js';
