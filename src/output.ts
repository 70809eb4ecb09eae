import { Option } from 'commander';
import { println, type IO } from './io.js';

export type FormatType = 'text' | 'json';

/** -t/--format-type, the Python client's flag for output format. */
export function formatTypeOption(): Option {
  return new Option('-t, --format-type <type>', 'output format').choices(['text', 'json']).default('text');
}

export function printJson(io: IO, value: unknown): void {
  println(io.stdout, JSON.stringify(value, null, 2));
}

/** Dates from the service are UTC date-times without a zone; users see the day. */
export function datePart(value: string): string {
  return value.slice(0, 10);
}

/** For repeatable flags (-r a -r b): commander calls this once per occurrence. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
