/**
 * Scenarios 2 and 4 (history): `GET /api/payments/:customer_id` on the API, cold (the customer's
 * first GET: a full sync into an empty ledger) and warm (later GETs), against the naive history
 * of the bare server (every PaymentIntent listed from Stripe with auto-pagination on each request),
 * with the sandbox adding a fixed latency to each Stripe call.
 */
import type { LoadGenerator } from '../load/client.ts';
import type { TimedResult } from '../load/jobs.ts';
import { API_HEADERS } from '../processes.ts';
import { countsSince, requestCounts, setLatency } from '../sandbox-control.ts';
import { median, ratio, round } from '../stats.ts';

export interface HistoryOptions {
  apiUrl: string;
  naiveUrl: string;
  sandboxUrl: string;
  /** Added to every Stripe call while this scenario runs. */
  stripeLatencyMs: number;
  warmRuns: number;
  /** How many naive GETs per customer; a few suffice for the long, slow ones. */
  naiveRuns: (payments: number) => number;
  log: (line: string) => void;
}

export interface HistoryCustomer {
  payments: number;
  customerId: string;
}

/** One GET, with the Stripe requests it caused (counted by the sandbox). */
export interface HistoryCall extends TimedResult {
  stripeCalls: Record<string, number>;
}

export interface HistoryPoint {
  payments: number;
  customerId: string;
  cold: HistoryCall;
  warm: HistoryCall[];
  naive: HistoryCall[];
  coldMs: number;
  /** Medians. */
  warmMs: number;
  naiveMs: number;
  /** Our cold time over the naive time (lower is better; 1 is parity). */
  coldRatio: number;
  /** The naive time over our warm time. */
  warmSpeedup: number;
  /** Stripe requests per warm GET (median). */
  warmStripeCalls: number;
}

function totalCalls(call: HistoryCall): number {
  return Object.values(call.stripeCalls).reduce((sum, count) => sum + count, 0);
}

async function timeCall(
  load: LoadGenerator,
  options: HistoryOptions,
  url: string,
  customer: HistoryCustomer,
): Promise<HistoryCall> {
  const before = await requestCounts(options.sandboxUrl);
  const path = `/api/payments/${customer.customerId}`;
  // The API key only: a GET with a JSON content type and no body would be refused.
  const headers = { authorization: API_HEADERS.authorization };
  const result = await load.time({ url, path, headers });
  const stripeCalls = countsSince(before, await requestCounts(options.sandboxUrl));
  if (result.status !== 200 || result.items !== customer.payments) {
    throw new Error(
      `GET ${url}/api/payments/${customer.customerId} answered ${result.status} with ` +
        `${result.items} payments; ${customer.payments} expected`,
    );
  }
  return { ...result, stripeCalls };
}

/** Measures each customer in turn; its first API GET is the cold one. */
export async function runHistory(
  load: LoadGenerator,
  options: HistoryOptions,
  customers: readonly HistoryCustomer[],
): Promise<HistoryPoint[]> {
  await setLatency(options.sandboxUrl, options.stripeLatencyMs);
  try {
    const points: HistoryPoint[] = [];
    for (const customer of customers) {
      const cold = await timeCall(load, options, options.apiUrl, customer);
      const warm: HistoryCall[] = [];
      const naive: HistoryCall[] = [];
      const naiveRuns = options.naiveRuns(customer.payments);
      // Interleaved, so both see the same conditions on a shared machine.
      for (let run = 0; run < Math.max(options.warmRuns, naiveRuns); run++) {
        if (run < options.warmRuns)
          warm.push(await timeCall(load, options, options.apiUrl, customer));
        if (run < naiveRuns) naive.push(await timeCall(load, options, options.naiveUrl, customer));
      }
      const point = summarisePoint(customer, cold, warm, naive);
      points.push(point);
      options.log(
        `  history n=${customer.payments}: naive ${round(point.naiveMs, 1)} ms, ` +
          `cold ${round(point.coldMs, 1)} ms (${totalCalls(cold)} Stripe calls), ` +
          `warm ${round(point.warmMs, 1)} ms (${point.warmStripeCalls} Stripe calls)`,
      );
    }
    return points;
  } finally {
    await setLatency(options.sandboxUrl, 0);
  }
}

/** The figures of one customer from its raw calls. */
export function summarisePoint(
  customer: HistoryCustomer,
  cold: HistoryCall,
  warm: readonly HistoryCall[],
  naive: readonly HistoryCall[],
): HistoryPoint {
  const warmMs = median(warm.map((call) => call.ms));
  const naiveMs = median(naive.map((call) => call.ms));
  return {
    payments: customer.payments,
    customerId: customer.customerId,
    cold,
    warm: [...warm],
    naive: [...naive],
    coldMs: cold.ms,
    warmMs,
    naiveMs,
    coldRatio: round(ratio(cold.ms, naiveMs), 3),
    warmSpeedup: round(ratio(naiveMs, warmMs), 2),
    warmStripeCalls: median(warm.map(totalCalls)),
  };
}
