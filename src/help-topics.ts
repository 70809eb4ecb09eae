// The pages of `osmo help environment` and `osmo help exit-codes`: what the
// README says, for people who never open it. test/help-topics.test.ts checks
// that every variable the code reads is listed here.

const ENVIRONMENT = `Environment variables osmo reads, each with its default:

  OSMO_URL, OSMO_TOKEN
      Log in with this server URL and personal access token, without any stored login (CI). The JWT stays in memory; nothing is written. OSMO_URL alone uses the stored login of that server for one command. Default: unset, the current stored login is used.
  OSMO_CONFIG_DIR, OSMO_CONFIG_FILE_DIR
      The config directory (OSMO_CONFIG_FILE_DIR is the Python client's name). Default: $XDG_CONFIG_HOME/osmo, else ~/.config/osmo.
  XDG_CONFIG_HOME
      Where the config directory goes when OSMO_CONFIG_DIR is unset. Default: ~/.config.
  OSMO_CREDENTIAL_STORE
      keychain or file: where a login keeps its secrets. Default: the OS keychain, else credentials.json in the config directory.
  OSMO_HTTP_TIMEOUT
      Seconds each HTTP request may take, retries included. Default: 60.
  OSMO_LOGIN_TIMEOUT
      Seconds a browser (pkce) login waits for the browser. Default: 300.
  OSMO_DEBUG
      1 logs each HTTP request on stderr, secrets redacted (as --debug). Default: off.
  OSMO_CA_FILE, NODE_EXTRA_CA_CERTS
      A PEM file of extra CA certificates to trust. Default: the system's CAs only.
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and their lower-case forms)
      The proxy for https:// requests, and hosts to reach directly. Default: no proxy.
  OSMO_ALLOW_INSECURE_HTTP
      1 lets OSMO_URL be plain http:// to a host other than this machine. Default: refused.
  BROWSER
      The command that opens the sign-in page of a pkce login. Default: the system's browser opener.
  SSH_CONNECTION, SSH_CLIENT, DISPLAY, WAYLAND_DISPLAY, WSL_DISTRO_NAME
      Whether a browser can be opened here; where none can, a login without --method uses a device code. Default: as the session sets them.
  DBUS_SESSION_BUS_ADDRESS
      The session bus through which the keychain (Secret Service) is reached on Linux. Default: as the session sets it.
  XDG_CACHE_HOME
      Where compiled code is cached so that osmo starts faster: $XDG_CACHE_HOME/osmo. Default: ~/.cache.
  NODE_DISABLE_COMPILE_CACHE
      1 turns that cache off. Default: on.
  NO_COLOR
      Respected: osmo prints no colour anyway.

Examples:
  $ OSMO_URL=https://osmo.example.com OSMO_TOKEN="$PAT" osmo token list
  $ OSMO_DEBUG=1 osmo status
`;

const EXIT_CODES = `Exit codes of osmo, the same as the Python client's where it has one:

  0    success
  2    your mistake: bad flags or arguments, bad input, not logged in, or a 4xx from the service (invalid or expired token, not found, forbidden)
  10   the server's or the network's failure: 5xx, connection refused, DNS, TLS, time-out, an answer that does not match the OSMO API
  75   rate limited (HTTP 429): try again later
  130  interrupted (Ctrl-C): osmo ends by the signal itself, so a calling shell stops too (143 for SIGTERM)

Errors are one line on stderr, "Error: <what is wrong>", usually followed by an indented line saying what to do next; with -t json, one JSON object {"message", "code", "hint"}.

Examples:
  $ osmo token list -t json > tokens.json || echo "failed with exit code $?"
  $ osmo status >/dev/null 2>&1 && echo "logged in"
`;

export const HELP_TOPICS: Record<string, { summary: string; text: string }> = {
  environment: { summary: 'every environment variable osmo reads, with its default', text: ENVIRONMENT },
  'exit-codes': { summary: 'what each exit status means', text: EXIT_CODES },
};
