/**
 * Scenarios 1 and 4 (charging): `POST /api/payments` on the full API against the bare baseline,
 * side by side at each connection count, against the sandbox at 0 ms added latency.
 */
import { withCpu } from '../cpu.ts';
import type { LoadGenerator } from '../load/client.ts';
import type { LoadJob, LoadResult } from '../load/jobs.ts';
import { API_HEADERS } from '../processes.ts';
import { ratio, round } from '../stats.ts';

export interface ChargingOptions {
  apiUrl: string;
  bareUrl: string;
  /** Processes whose CPU time is accounted per request: api, bare, sandbox, loadGenerator. */
  pids: Record<string, number | undefined>;
  customerId: string;
  connections: readonly number[];
  durationSec: number;
  warmupSec: number;
  log: (line: string) => void;
}

/** One connection count: the API and the baseline measured back to back. */
export interface ChargingPoint {
  connections: number;
  full: LoadResult;
  bare: LoadResult;
  /** Full req/s over bare req/s. */
  throughputRatio: number;
  /** Milliseconds the full stack adds, at the median and at p99. */
  p50OverheadMs: number;
  p99OverheadMs: number;
  /** CPU ms each process spent per successful charge, during the full run and the bare one. */
  cpuMsPerRequest: { full: Record<string, number>; bare: Record<string, number> };
}

function chargeJob(url: string, customerId: string): Omit<LoadJob, 'kind' | 'connections'> {
  return {
    url,
    method: 'POST',
    path: '/api/payments',
    headers: API_HEADERS,
    body: JSON.stringify({ stripeCustomerID: customerId, amount: 2_000 }),
    // A fresh Idempotency-Key per request: each one is a new charge, never a replay.
    uniqueHeader: 'idempotency-key',
    durationSec: 0,
  };
}

/** Compares one point's two results. */
export function comparePoint(connections: number, full: Measured, bare: Measured): ChargingPoint {
  return {
    connections,
    full: full.result,
    bare: bare.result,
    throughputRatio: round(full.result.rps / bare.result.rps, 3),
    p50OverheadMs: round(full.result.latencyMs.p50 - bare.result.latencyMs.p50, 2),
    p99OverheadMs: round(full.result.latencyMs.p99 - bare.result.latencyMs.p99, 2),
    cpuMsPerRequest: { full: perRequest(full), bare: perRequest(bare) },
  };
}

/** A load run with the CPU time each process used during it. */
export interface Measured {
  result: LoadResult;
  cpuMs: Record<string, number>;
}

function perRequest({ result, cpuMs }: Measured): Record<string, number> {
  const per: Record<string, number> = {};
  for (const [name, ms] of Object.entries(cpuMs)) per[name] = round(ratio(ms, result.ok), 3);
  return per;
}

/**
 * Measures every connection count on both servers. Which of the two goes first alternates from one
 * count to the next, so a drift in the machine's load does not always favour the same one.
 */
export async function runCharging(
  load: LoadGenerator,
  options: ChargingOptions,
): Promise<ChargingPoint[]> {
  const full = chargeJob(options.apiUrl, options.customerId);
  const bare = chargeJob(options.bareUrl, options.customerId);

  // Warm-up, not recorded: JIT, connection pools and the ledger's first pages.
  for (const job of [full, bare]) {
    await load.load({ ...job, connections: 8, durationSec: options.warmupSec });
  }

  const points: ChargingPoint[] = [];
  for (const [index, connections] of options.connections.entries()) {
    const measure = (job: typeof full) =>
      withCpu(options.pids, () =>
        load.load({ ...job, connections, durationSec: options.durationSec }),
      );
    let fullRun: Measured;
    let bareRun: Measured;
    if (index % 2 === 0) {
      fullRun = await measure(full);
      bareRun = await measure(bare);
    } else {
      bareRun = await measure(bare);
      fullRun = await measure(full);
    }
    const point = comparePoint(connections, fullRun, bareRun);
    points.push(point);
    options.log(
      `  charging c=${connections}: full ${point.full.rps} req/s, bare ${point.bare.rps} req/s, ` +
        `ratio ${point.throughputRatio}, +p50 ${point.p50OverheadMs} ms, ` +
        `+p99 ${point.p99OverheadMs} ms, CPU ms/request API ${point.cpuMsPerRequest.full.api} ` +
        `bare ${point.cpuMsPerRequest.bare.bare}`,
    );
  }
  return points;
}
