// The parts of undici this client uses, loaded without the rest: its index
// also loads fetch, WebSocket, caches and mocks, which tripled the time a
// command spent loading the HTTP stack. This mirrors what undici's index does
// to give every dispatcher its request() method.
import { setFlagsFromString } from 'node:v8';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';

Object.assign(Dispatcher.prototype, api);

// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it once
// quickly (Liftoff), then again optimised in the background, and a process
// cannot exit until that second compile ends: ~90 ms added to every command
// for speed no CLI-sized response needs. Must run before the first request.
setFlagsFromString('--liftoff-only');

export { default as EnvHttpProxyAgent } from 'undici/lib/dispatcher/env-http-proxy-agent.js';
export { default as RetryAgent } from 'undici/lib/dispatcher/retry-agent.js';
