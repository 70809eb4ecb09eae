// Dates as osmo shows and compares them: the UTC day, YYYY-MM-DD. Shared by
// the commands and by the session and token modules below them.

/** Dates from the service are UTC date-times without a zone; users see the day. */
export function datePart(value: string): string {
  return value.slice(0, 10);
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayUtc(now: Date): string {
  return now.toISOString().slice(0, 10);
}
