// Text from a server (error bodies, warnings) reaches the user's terminal.
// C0/C1 control characters could move the cursor, recolour or rewrite earlier
// lines, and bidi overrides could reorder what is shown; none of them belongs
// in a one-line message.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One printable line of at most `max` characters. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
