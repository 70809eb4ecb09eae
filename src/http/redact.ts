// Query parameters that may carry a credential; their values never reach a log line.
const SECRET_PARAMS = /^(access_token|refresh_token|token|password|code|code_verifier|client_secret|id_token)$/i;

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '[redacted]');
    }
    return parsed.toString();
  } catch {
    return '[unparsable url]';
  }
}

/** Replaces every occurrence of the given secrets in a text. */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}
