// Help text fitted to a width at word boundaries. commander wraps what it
// lays out (options, commands); the text after it (notes, examples) is
// written as given, so a narrow terminal broke it mid-word. A wrapped
// example stays a command that can be pasted: it continues after ` \`, and
// a wrapped `# comment` continues as a comment.

export function wrapHelp(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => (line.length <= width ? line : wrapLine(line, width)))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  const indent = /^ */.exec(line)![0];
  const example = /^ *\$ /.test(line);
  // A term and its description (`  10   the server's failure…`) continue under the description.
  const term = /^ *\S+ {2,}(?=\S)/.exec(line)?.[0];
  const hanging = example ? `${indent}    ` : term ? ' '.repeat(term.length) : /^ *(?:[-*] |\d+\. )/.test(line) ? `${indent}  ` : indent;
  // A quoted string is one word: a line break inside quotes would change it.
  const words = line.slice(indent.length).match(/(?:"[^"]*"|'[^']*'|[^\s"']+|["'])+ */g) ?? [];
  const out: string[] = [];
  let current = indent;
  let comment = false;
  for (const word of words) {
    const startsComment = example && !comment && word.startsWith('#');
    // Room for the ` \` that continues a command line.
    const room = example && !comment && !startsComment ? width - 2 : width;
    if (current.trim() && (current + word).trimEnd().length > room) {
      out.push(example && !comment ? `${current.trimEnd()} \\` : current.trimEnd());
      current = comment ? `${hanging}# ` : hanging;
    }
    if (startsComment) comment = true;
    current += word;
    // One word longer than the line: cut it, as nothing else fits.
    while (current.trimEnd().length > width && width > hanging.length + 4) {
      out.push(current.slice(0, width));
      current = hanging + current.slice(width);
    }
  }
  out.push(current.trimEnd());
  return out.join('\n');
}
