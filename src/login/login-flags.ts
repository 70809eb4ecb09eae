import type { LoginMethod } from '../config/login-methods.js';

/** `osmo login`'s flags as commander parses them; the login modules read what they need. */
export interface LoginFlags {
  /** Only when given: otherwise the credential flags, piped data or the default decide. */
  method?: LoginMethod;
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  username?: string;
  password?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
  deviceEndpoint?: string;
  browserEndpoint?: string;
  callbackPort?: number;
  clientId?: string;
  allowInsecureHttp?: boolean;
}
