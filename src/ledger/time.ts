/** The ledger stores instants as milliseconds since the epoch; these convert at its edges. */

/** Milliseconds of a date, refusing an invalid one rather than writing NaN into a row. */
export function toMillis(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) {
    throw new TypeError('ledger: invalid Date');
  }
  return ms;
}

export function fromMillis(ms: number): Date {
  return new Date(ms);
}
