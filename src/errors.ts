// Typed errors carry their exit code (SPEC.md section 2). Only cli.ts turns
// them into process.exitCode; nothing else ends the process.

export const ExitCode = {
  ok: 0,
  user: 2,
  server: 10,
  rateLimited: 75,
  interrupted: 130,
  /** 128 + SIGTERM, as a shell reports a process ended by it. */
  terminated: 143,
} as const;

export class OsmoError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The user's mistake: bad flags, bad input, not logged in. Exit 2. */
export class UsageError extends OsmoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.user, hint);
  }
}

/** A credential was refused or is missing. Exit 2. */
export class AuthError extends OsmoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.user, hint);
  }
}

/** The service refused a personal access token at the exchange (400: invalid or expired). */
export class PatRefusedError extends AuthError {}

/** The service answered 401 to a credential, even after renewing it. */
export class CredentialRefusedError extends AuthError {
  constructor(
    source: string,
    /** The first line of the service's answer, already safe to show (e.g. "Jwt is missing"). */
    readonly reason: string,
    hint?: string,
  ) {
    super(`the service refused the credential from ${source}: ${reason} (HTTP 401)`, hint);
  }
}

/** The service answered with an error status. */
export class ApiError extends OsmoError {
  constructor(
    message: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, exitCodeForStatus(status), hint);
  }
}

/** Connection refused, DNS, TLS, time-out, or a response that is not what the API promises. Exit 10. */
export class NetworkError extends OsmoError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.server, hint);
  }
}

/**
 * Ctrl-C or a termination signal. It is never reported as an error: the
 * process prints `Interrupted` and ends by the signal itself (src/interrupt.ts),
 * so a calling shell stops its list or loop too.
 */
export class InterruptedError extends OsmoError {
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
    /** Typed at a prompt in raw mode, where the terminal sent no signal to anyone. */
    readonly fromKeyboard = false,
  ) {
    super('Interrupted', signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
  }
}

export function exitCodeForStatus(status: number): number {
  if (status === 429) return ExitCode.rateLimited;
  if (status >= 400 && status < 500) return ExitCode.user;
  return ExitCode.server;
}
