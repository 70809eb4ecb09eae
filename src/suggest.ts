import type { Command } from 'commander';

// An unknown word is answered with the nearest command, as commander does,
// but never with one that deletes or replaces something: `osmo token create`
// once got "Did you mean rotate?", the command that deletes the old token.

/** Commands (paths below `osmo`) that delete or replace something; one line per command that does. */
const DESTRUCTIVE = new Set(['logout', 'token delete', 'token rotate', 'user delete', 'user update', 'user roles remove']);

export function isDestructive(cmd: Command): boolean {
  const path: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
  return DESTRUCTIVE.has(path.join(' '));
}

const UNKNOWN_COMMAND = /^error: unknown command '([^']*)'/;
const SUGGESTION = /\n\(Did you mean [^)]*\?\)/;

/**
 * commander's `unknown command` error of `cmd`, its suggestion replaced by
 * one among every name and alias of the commands that change nothing
 * irreversibly. Other errors pass unchanged.
 */
export function safeSuggestion(cmd: Command, message: string): string {
  const word = UNKNOWN_COMMAND.exec(message)?.[1];
  if (word === undefined) return message;
  const candidates = cmd.commands.filter((c) => !isDestructive(c) && c.name() !== 'help').flatMap((c) => [c.name(), ...c.aliases()]);
  const similar = mostSimilar(word, candidates);
  const suggestion = similar.length > 1 ? `\n(Did you mean one of ${similar.join(', ')}?)` : similar.length ? `\n(Did you mean ${similar[0]}?)` : '';
  return message.replace(SUGGESTION, '').replace(/\n?$/, `${suggestion}\n`);
}

/** commander's own rule: the candidates at the smallest edit distance (at most 3), and more alike than not. */
function mostSimilar(word: string, candidates: string[]): string[] {
  let best = 3;
  let similar: string[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < best) [best, similar] = [distance, [candidate]];
    else if (distance === best) similar.push(candidate);
  }
  return similar.sort((a, b) => a.localeCompare(b));
}

/** Damerau-Levenshtein (optimal string alignment) distance, as commander computes it. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
