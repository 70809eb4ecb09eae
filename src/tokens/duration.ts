import { add } from 'date-fns';
import { utc } from '@date-fns/utc';
import { UsageError } from '../errors.js';

// Relative dates for --expires-in and --expiring-within: `30d`, `12w`, `6m`, `1y`.

const UNITS = { d: 'days', w: 'weeks', m: 'months', y: 'years' } as const;
type Unit = keyof typeof UNITS;

export interface Duration {
  amount: number;
  unit: Unit;
  /** As the user typed it, for messages. */
  text: string;
}

export function parseDuration(input: string, flag: string): Duration {
  const text = input.trim();
  const match = /^(\d{1,5})([dwmy])$/.exec(text);
  if (!match) {
    throw new UsageError(
      `invalid ${flag} "${input}": expected a whole number and a unit: d (days), w (weeks), m (months) or y (years)`,
      `for example ${flag} 30d, ${flag} 12w, ${flag} 6m or ${flag} 1y`,
    );
  }
  return { amount: Number(match[1]), unit: match[2] as Unit, text };
}

/**
 * The UTC calendar date `duration` after `day` (YYYY-MM-DD), by date-fns:
 * a month or year later keeps the day of the month where it exists and
 * otherwise ends on the month's last day (2027-01-31 + 1m = 2027-02-28).
 * undefined when the result is past 9999-12-31.
 */
export function addDuration(day: string, duration: Duration): string | undefined {
  const end = add(new Date(`${day}T00:00:00Z`), { [UNITS[duration.unit]]: duration.amount }, { in: utc });
  const iso = Number.isNaN(end.getTime()) ? '' : end.toISOString();
  return /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso.slice(0, 10) : undefined;
}
