/**
 * The hint where no login works: the ways in that need no token (a browser,
 * a device code), and where a new token comes from. `osmo token set` alone
 * would send the user in a circle: it needs a working login.
 */
export function loginWithoutTokenHint(url: string): string {
  return `log in without a token (\`osmo login ${url}\` opens a browser; add \`--method code\` for a device code), then create one with \`osmo token set NAME\`, or on the access-token page of the OSMO web UI`;
}
