import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadResult } from '../../bench/load/jobs.ts';
import {
  type BenchResults,
  buildMarkdown,
  buildReport,
  type HistoryRun,
  targets,
  warnings,
} from '../../bench/report.ts';
import { comparePoint, type Measured } from '../../bench/scenarios/charging.ts';
import { type HistoryCall, summarisePoint } from '../../bench/scenarios/history.ts';
import type { ServerRun } from '../../bench/scenarios/sandbox.ts';

function load(
  rps: number,
  p50: number,
  p99: number,
  codes: Record<string, number> = { 201: rps * 10 },
): LoadResult {
  return {
    connections: 1,
    durationSec: 10,
    ok: rps * 10,
    rps,
    latencyMs: { p50, p90: p99, p99, mean: p50, min: p50, max: p99 },
    statusCodes: codes,
    errors: 0,
    timeouts: 0,
  };
}

/** A run during which the server spent 2 ms of CPU per successful request. */
function measured(result: LoadResult, server: 'api' | 'bare'): Measured {
  return { result, cpuMs: { [server]: result.ok * 2, sandbox: result.ok } };
}

function charge(connections: number, full: LoadResult, bare: LoadResult) {
  return comparePoint(connections, measured(full, 'api'), measured(bare, 'bare'));
}

function serverRun(result: LoadResult, cpuMsPerRequest: number): ServerRun {
  return {
    ...result,
    serverCpuMsPerRequest: cpuMsPerRequest,
    serverBusy: 0.9,
    loadGeneratorBusy: 1,
  };
}

function call(ms: number, payments: number, listCalls: number): HistoryCall {
  const stripeCalls = { 'GET /v1/customers/:id': 1, 'GET /v1/payment_intents': listCalls };
  return { status: 200, ms, bytes: 100, items: payments, stripeCalls };
}

function history(payments: number, cold: number, warm: number, naive: number): HistoryRun {
  const customer = { payments, customerId: `cus_${payments}` };
  const point = summarisePoint(
    customer,
    call(cold, payments, 100),
    [call(warm, payments, 1), call(warm + 10, payments, 1), call(warm - 10, payments, 1)],
    [call(naive, payments, 100), call(naive + 100, payments, 100)],
  );
  return { points: [point], seedMs: 1000, ageAtFirstGetSec: 400 };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:07:00Z'),
    machine: {
      cores: 2,
      node: 'v20.0.0',
      cpuModel: 'Test CPU',
      platform: 'linux',
      arch: 'x64',
      totalMemGb: 4,
      loadAverage: { start: 1, end: 2 },
    },
    settings: {
      chargingDurationSec: 10,
      chargingConnections: [1, 64],
      sandboxDurationSec: 8,
      sandboxConnections: 16,
      historyStripeLatencyMs: 50,
      historyWarmRuns: 3,
      api: {
        nodeEnv: 'production',
        logLevel: 'warn',
        apiKeys: 'on',
        rateLimit: 'high',
        ledger: 'SQLite',
      },
    },
    charging: [
      charge(64, load(900, 60, 90), load(1000, 50, 80)),
      charge(1, load(200, 4, 6), load(300, 3, 4)),
    ],
    historyAged: history(10_000, 6_100, 100, 5_950),
    historyFresh: history(10_000, 6_000, 5_000, 5_950),
    syncOverlapMs: 300_000,
    sandbox: {
      customersCreate: serverRun(load(6000, 2, 5), 0.1),
      paymentIntentsCreate: serverRun(load(3000, 4, 9), 0.3),
      statefulMockCustomersCreate: serverRun(load(2000, 6, 20), 0.4),
      vsStatefulMock: 3,
      vsStatefulMockCpu: 4,
    },
    ...overrides,
  };
}

describe('buildReport', () => {
  it('takes throughput at the most connections and added latency at the fewest', () => {
    const report = buildReport(results());
    assert.equal(report.payments.throughputRatio, 0.9);
    assert.equal(report.payments.p50OverheadMs, 1);
    assert.equal(report.payments.p99OverheadMs, 2);
  });

  it('computes both history figures at 10,000 payments from the aged customers', () => {
    const report = buildReport(results());
    // naive median 6,000 over warm median 100; cold 6,100 over naive 6,000.
    assert.equal(report.history.warmSpeedup10k, 60);
    assert.equal(report.history.coldRatio10k, 1.017);
    assert.equal(report.history.fresh.byPayments[0]?.warmSpeedup, 1.2);
  });

  it('holds every key the issue requires as a number, with the machine and a timestamp', () => {
    const report = buildReport(results());
    for (const value of [
      report.payments.throughputRatio,
      report.payments.p50OverheadMs,
      report.payments.p99OverheadMs,
      report.history.warmSpeedup10k,
      report.history.coldRatio10k,
      report.sandbox.vsStatefulMock,
      report.machine.cores,
    ]) {
      assert.equal(typeof value, 'number');
    }
    assert.equal(report.machine.node, 'v20.0.0');
    assert.equal(report.timestamp, '2026-01-01T00:07:00.000Z');
    assert.equal(report.durationSec, 420);
  });
});

describe('targets', () => {
  it('marks each target met or missed by its own direction', () => {
    const slow = results({ charging: [charge(1, load(100, 20, 30), load(300, 3, 4))] });
    const met = Object.fromEntries(targets(slow).map((target) => [target.key, target.met]));
    assert.deepEqual(met, {
      'payments.throughputRatio': false,
      'payments.p99OverheadMs': false,
      'history.warmSpeedup10k': true,
      'history.coldRatio10k': true,
      'sandbox.vsStatefulMock': true,
    });
  });

  it('counts a figure that could not be measured as missed', () => {
    const none = results({ historyAged: { points: [], seedMs: 0, ageAtFirstGetSec: 400 } });
    const warm = targets(none).find((target) => target.key === 'history.warmSpeedup10k');
    assert.equal(warm?.met, false);
  });
});

describe('warnings', () => {
  it('lists failed answers and payments not old enough for the aged history', () => {
    const failing = results({
      charging: [charge(1, load(200, 4, 6, { 201: 10, 429: 5 }), load(300, 3, 4))],
      historyAged: { ...history(10_000, 6_100, 100, 6_000), ageAtFirstGetSec: 30 },
    });
    const found = warnings(failing);
    assert.equal(found.length, 2);
    assert.match(found[0] ?? '', /charging full c=1: 5 x 429/);
    assert.match(found[1] ?? '', /30 s old/);
  });

  it('is empty for a clean run', () => {
    assert.deepEqual(warnings(results()), []);
  });
});

describe('buildMarkdown', () => {
  it('shows the targets, one charging row per connection count and the history and sandbox', () => {
    const markdown = buildMarkdown(results());
    assert.match(markdown, /\| Charging throughput, full \/ bare \| >= 0\.8 \| 0\.90 \| yes \|/);
    assert.match(markdown, /\| 64 \| 900 \| 1,000 \| 0\.90 \|.*\| 2\.00 \/ 2\.00 \|/);
    assert.match(markdown, /\| 1 \| 200 \| 300 \| 0\.67 \|/);
    assert.match(markdown, /\| 10,000 \| 6,000 \| 6,100 \| 1\.02 \| 100\.0 \| 60\.0 \| 2 \|/);
    assert.match(
      markdown,
      /\| stripe-stateful-mock 0\.0\.16 \| customers\.create \(tok_visa\) \| 2,000 \|.*\| 0\.400 \| 90% \/ 100% \|/,
    );
    assert.doesNotMatch(markdown, /Warnings/);
  });
});
