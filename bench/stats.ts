/**
 * Small pure helpers for turning raw measurements into the figures the bench reports. No I/O, so
 * they are unit-tested (test/bench/stats.test.ts).
 */

/**
 * The `p`-th percentile (0..100) of `values` by the nearest-rank method: the smallest value with at
 * least p% of the values at or below it. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] ?? Number.NaN;
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** `value` rounded to `digits` decimals; non-finite values pass through. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** a / b, or NaN when b is zero or either is not finite (a ratio that cannot be computed). */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

/** Latency figures of one measured point, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Summarises raw latencies (ms); every figure is NaN when there are none. */
export function summarise(latencies: readonly number[]): LatencySummary {
  // A loop rather than Math.min(...values): a long run has more values than a call takes arguments.
  let min = Number.NaN;
  let max = Number.NaN;
  for (const value of latencies) {
    if (!(value >= min)) min = value;
    if (!(value <= max)) max = value;
  }
  return {
    p50: round(percentile(latencies, 50), 3),
    p90: round(percentile(latencies, 90), 3),
    p99: round(percentile(latencies, 99), 3),
    mean: round(mean(latencies), 3),
    min: round(min, 3),
    max: round(max, 3),
  };
}
