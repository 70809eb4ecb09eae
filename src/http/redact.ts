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

/**
 * Replaces every occurrence of the given secrets in a text, longest first.
 * Secrets shorter than `minLength` are left alone unless asked: replacing a
 * short string everywhere can shred a message.
 */
export function redactSecrets(text: string, secrets: Array<string | undefined>, minLength = 8): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => (b?.length ?? 0) - (a?.length ?? 0))) {
    if (secret && secret.length >= minLength) out = out.split(secret).join('[redacted]');
  }
  return out;
}
