import assert from 'node:assert/strict';
import type { RunResult } from './cli.js';

// Lines a failing command may print besides its one `Error:` line.
const HINT = /^ {2}\S/;
const COMMANDER_USAGE = /^Run `osmo(?: [a-z-]+)* --help` for usage\.$/;
const COMMANDER_SUGGESTION = /^\(Did you mean [^)]+\?\)$/;
const STACK_FRAME = /^\s+at\s|node:internal|\.(?:js|ts):\d+:\d+/;

/** `text` matched literally inside a RegExp built from a template (a URL, a path). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface FailureExpectation {
  code: number;
  /** Matched against the text after `Error: `. */
  message: RegExp;
  /** Lines allowed before the Error line, e.g. a `Warning:` about the token file. */
  before?: RegExp[];
}

/**
 * One readable failure: the expected exit code, exactly one `Error:` line
 * (first, unless `before` allows warnings ahead of it), at most one indented
 * hint, commander's usage pointer, and never a stack trace.
 */
export function assertCleanFailure(res: RunResult, expected: FailureExpectation): void {
  const shown = `exit ${res.code}${res.signal ? ` (${res.signal})` : ''}\n--- stderr\n${res.stderr}--- stdout\n${res.stdout}`;
  assert.equal(res.code, expected.code, shown);
  const lines = res.stderr.replace(/\n$/, '').split('\n');
  const errorAt = lines.findIndex((l) => l.startsWith('Error: '));
  assert.ok(errorAt >= 0, `no Error: line\n${shown}`);
  assert.equal(lines.filter((l) => /^Error\b/i.test(l)).length, 1, `more than one Error line\n${shown}`);
  for (const line of lines.slice(0, errorAt)) {
    assert.ok(expected.before?.some((re) => re.test(line)), `unexpected line before the error: ${JSON.stringify(line)}\n${shown}`);
  }
  assert.match(lines[errorAt]!.slice('Error: '.length), expected.message, shown);
  const rest = lines.slice(errorAt + 1);
  assert.ok(rest.filter((l) => HINT.test(l)).length <= 1, `more than one hint line\n${shown}`);
  for (const line of rest) {
    assert.ok(HINT.test(line) || COMMANDER_USAGE.test(line) || COMMANDER_SUGGESTION.test(line), `unexpected line after the error: ${JSON.stringify(line)}\n${shown}`);
  }
  for (const line of lines) assert.doesNotMatch(line, STACK_FRAME, `stack trace\n${shown}`);
  assert.doesNotMatch(res.stderr, /unexpected error/, shown);
}
