// undici's individual modules, imported directly (see src/http/undici.ts); the
// types are those the package publishes for its index.
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';
  const DispatcherClass: { prototype: Dispatcher };
  export default DispatcherClass;
}
declare module 'undici/lib/api/index.js' {
  const api: Record<string, unknown>;
  export default api;
}
declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  import { EnvHttpProxyAgent } from 'undici';
  export default EnvHttpProxyAgent;
}
declare module 'undici/lib/core/errors.js' {
  export { ClientDestroyedError } from 'undici/types/errors';
}
declare module 'undici/lib/dispatcher/retry-agent.js' {
  import { RetryAgent } from 'undici';
  export default RetryAgent;
}
