// Text from a server (error bodies, warnings, names, descriptions, URLs)
// reaches the user's terminal. C0/C1 control characters could move the
// cursor, recolour or rewrite earlier lines, a line break could forge a table
// row, and bidi overrides could reorder what is shown.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * One field of server text, made safe to print: every unsafe character is
 * shown as an escape (`\e`, `\n`, `\x07`, `\u202e`), so nothing is hidden and
 * nothing acts on the terminal. JSON output goes through safeJson() instead.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => NAMED_ESCAPES[ch] ?? escapeCodePoint(ch.charCodeAt(0)));
}

function escapeCodePoint(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

// What JSON.stringify leaves raw although a terminal acts on it: DEL, C1
// controls (U+009B is a one-byte CSI) and bidi overrides. Outside strings JSON
// text is plain ASCII, so each can only stand inside a string, where `\uXXXX`
// means exactly the same character.
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify(value, null, indent), safe for a terminal and still exactly the same JSON value. */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One printable line of at most `max` characters, for error messages: unsafe characters become spaces. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
