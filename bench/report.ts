/**
 * Turns a run's raw measurements into `latest.json` (headline figures, targets, and everything
 * measured) and `latest.md` (the tables for the README). Pure: unit-tested without a run.
 */
import { type Column, fmt, markdownTable, signed } from './markdown.ts';
import type { ChargingPoint } from './scenarios/charging.ts';
import type { HistoryPoint } from './scenarios/history.ts';
import type { SandboxResults } from './scenarios/sandbox.ts';
import { round } from './stats.ts';

export interface Machine {
  cores: number;
  node: string;
  cpuModel: string;
  platform: string;
  arch: string;
  totalMemGb: number;
  /** 1-minute load average when the run started and ended: how busy the shared machine was. */
  loadAverage: { start: number; end: number };
}

export interface BenchSettings {
  chargingDurationSec: number;
  chargingConnections: number[];
  sandboxDurationSec: number;
  sandboxConnections: number;
  historyStripeLatencyMs: number;
  historyWarmRuns: number;
  /** How the API ran. */
  api: { nodeEnv: string; logLevel: string; apiKeys: string; rateLimit: string; ledger: string };
}

export interface HistoryRun {
  points: HistoryPoint[];
  /** How long seeding took, and how old the newest seeded payment was at the first cold GET. */
  seedMs: number;
  ageAtFirstGetSec: number;
}

export interface BenchResults {
  startedAt: Date;
  finishedAt: Date;
  machine: Machine;
  settings: BenchSettings;
  charging: ChargingPoint[];
  /** Seeded at the start, measured once older than the sync's overlap window (the headline). */
  historyAged: HistoryRun;
  /** Seeded right before it is measured: every payment is inside that window. */
  historyFresh: HistoryRun;
  /** The sync's overlap window of the API (ms), which decides what "aged" has to mean. */
  syncOverlapMs: number;
  sandbox: SandboxResults;
}

export interface Target {
  key: string;
  goal: string;
  value: number;
  met: boolean;
}

/** Headline figures: where each is taken from is part of the report (`definitions`). */
function headline(results: BenchResults) {
  const byConnections = [...results.charging].sort((a, b) => a.connections - b.connections);
  const single = byConnections[0];
  const most = byConnections.at(-1);
  const tenK = results.historyAged.points.find((point) => point.payments === 10_000);
  return {
    throughputRatio: most?.throughputRatio ?? Number.NaN,
    throughputAtConnections: most?.connections ?? Number.NaN,
    p50OverheadMs: single?.p50OverheadMs ?? Number.NaN,
    p99OverheadMs: single?.p99OverheadMs ?? Number.NaN,
    overheadAtConnections: single?.connections ?? Number.NaN,
    warmSpeedup10k: tenK?.warmSpeedup ?? Number.NaN,
    coldRatio10k: tenK?.coldRatio ?? Number.NaN,
  };
}

/** The issue's targets, each checked against its figure. */
export function targets(results: BenchResults): Target[] {
  const h = headline(results);
  const atLeast = (key: string, value: number, goal: number): Target => ({
    key,
    goal: `>= ${goal}`,
    value,
    met: value >= goal,
  });
  const atMost = (key: string, value: number, goal: number): Target => ({
    key,
    goal: `<= ${goal}`,
    value,
    met: value <= goal,
  });
  return [
    atLeast('payments.throughputRatio', h.throughputRatio, 0.8),
    atMost('payments.p99OverheadMs', h.p99OverheadMs, 5),
    atLeast('history.warmSpeedup10k', h.warmSpeedup10k, 50),
    atMost('history.coldRatio10k', h.coldRatio10k, 1.1),
    atLeast('sandbox.vsStatefulMock', results.sandbox.vsStatefulMock, 2),
  ];
}

/** Anything that makes a figure doubtful: failed requests above all. */
export function warnings(results: BenchResults): string[] {
  const found: string[] = [];
  const check = (what: string, codes: Record<string, number>, errors: number) => {
    const failed = Object.entries(codes).filter(([code]) => !code.startsWith('2'));
    if (failed.length > 0 || errors > 0) {
      const list = failed.map(([code, count]) => `${count} x ${code}`).join(', ');
      found.push(`${what}: ${list}${errors > 0 ? ` ${errors} connection errors` : ''}`.trim());
    }
  };
  for (const point of results.charging) {
    check(`charging full c=${point.connections}`, point.full.statusCodes, point.full.errors);
    check(`charging bare c=${point.connections}`, point.bare.statusCodes, point.bare.errors);
  }
  const { customersCreate, paymentIntentsCreate, statefulMockCustomersCreate } = results.sandbox;
  check('sandbox customers.create', customersCreate.statusCodes, customersCreate.errors);
  check(
    'sandbox paymentIntents.create',
    paymentIntentsCreate.statusCodes,
    paymentIntentsCreate.errors,
  );
  check(
    'stripe-stateful-mock customers.create',
    statefulMockCustomersCreate.statusCodes,
    statefulMockCustomersCreate.errors,
  );
  const overlapSec = results.syncOverlapMs / 1000;
  if (results.historyAged.ageAtFirstGetSec <= overlapSec) {
    found.push(
      `history (aged): the seeded payments were ${results.historyAged.ageAtFirstGetSec} s old, ` +
        `not older than the ${overlapSec} s sync overlap`,
    );
  }
  return found;
}

function historySummary(run: HistoryRun) {
  return {
    seedMs: round(run.seedMs, 0),
    ageAtFirstGetSec: run.ageAtFirstGetSec,
    byPayments: run.points.map((point) => ({
      payments: point.payments,
      naiveMs: round(point.naiveMs, 1),
      coldMs: round(point.coldMs, 1),
      warmMs: round(point.warmMs, 1),
      coldRatio: point.coldRatio,
      warmSpeedup: point.warmSpeedup,
      warmStripeCalls: point.warmStripeCalls,
    })),
  };
}

/** The content of `latest.json`. */
export function buildReport(results: BenchResults) {
  const h = headline(results);
  const { sandbox } = results;
  return {
    timestamp: results.finishedAt.toISOString(),
    durationSec: round((results.finishedAt.getTime() - results.startedAt.getTime()) / 1000, 1),
    machine: results.machine,
    settings: results.settings,
    payments: {
      throughputRatio: h.throughputRatio,
      p50OverheadMs: h.p50OverheadMs,
      p99OverheadMs: h.p99OverheadMs,
      definitions:
        `throughputRatio: full/bare req/s at ${h.throughputAtConnections} connections ` +
        `(saturated); p50/p99OverheadMs: full minus bare latency at ${h.overheadAtConnections} ` +
        'connection (no queueing: the time the stack adds to one request). Every connection ' +
        'count is in byConnections.',
      byConnections: results.charging.map((point) => ({
        connections: point.connections,
        fullRps: point.full.rps,
        bareRps: point.bare.rps,
        throughputRatio: point.throughputRatio,
        fullP50Ms: point.full.latencyMs.p50,
        bareP50Ms: point.bare.latencyMs.p50,
        p50OverheadMs: point.p50OverheadMs,
        fullP99Ms: point.full.latencyMs.p99,
        bareP99Ms: point.bare.latencyMs.p99,
        p99OverheadMs: point.p99OverheadMs,
        apiCpuMsPerRequest: point.cpuMsPerRequest.full.api,
        bareCpuMsPerRequest: point.cpuMsPerRequest.bare.bare,
      })),
    },
    history: {
      warmSpeedup10k: h.warmSpeedup10k,
      coldRatio10k: h.coldRatio10k,
      stripeLatencyMs: results.settings.historyStripeLatencyMs,
      syncOverlapMs: results.syncOverlapMs,
      definitions:
        'warmSpeedup10k: naive median / warm median at 10,000 payments; coldRatio10k: cold / ' +
        'naive median. Both from "aged" customers: seeded at the start of the run and measured ' +
        'once their payments are older than the sync overlap, as in a history that grew over ' +
        'time. "fresh": seeded in one burst right before measuring.',
      aged: historySummary(results.historyAged),
      fresh: historySummary(results.historyFresh),
    },
    sandbox: {
      vsStatefulMock: sandbox.vsStatefulMock,
      customersCreateRps: sandbox.customersCreate.rps,
      paymentIntentsCreateRps: sandbox.paymentIntentsCreate.rps,
      statefulMockCustomersCreateRps: sandbox.statefulMockCustomersCreate.rps,
      vsStatefulMockCpu: sandbox.vsStatefulMockCpu,
      definitions:
        'vsStatefulMock: our customers.create req/s over theirs, same load generator and ' +
        'settings. vsStatefulMockCpu: their server CPU ms per request over ours (not bounded by ' +
        'the load generator, which shares the machine).',
    },
    targets: targets(results),
    warnings: warnings(results),
    raw: {
      charging: results.charging,
      historyAged: results.historyAged,
      historyFresh: results.historyFresh,
      sandbox: results.sandbox,
    },
  };
}

const TARGET_LABELS: Record<string, string> = {
  'payments.throughputRatio': 'Charging throughput, full / bare',
  'payments.p99OverheadMs': 'Charging p99 added by the full stack (ms)',
  'history.warmSpeedup10k': 'History at 10,000 payments, naive / warm',
  'history.coldRatio10k': 'History at 10,000 payments, cold / naive',
  'sandbox.vsStatefulMock': 'Sandbox customers.create, ours / stripe-stateful-mock',
};

function chargingTable(points: readonly ChargingPoint[]): string {
  const columns: Column[] = [
    { title: 'Connections' },
    { title: 'Full req/s' },
    { title: 'Bare req/s' },
    { title: 'Full / bare' },
    { title: 'p50 full / bare (ms)' },
    { title: 'p50 added (ms)' },
    { title: 'p99 full / bare (ms)' },
    { title: 'p99 added (ms)' },
    { title: 'CPU per request, API / bare (ms)' },
  ];
  const rows = points.map((point) => [
    String(point.connections),
    fmt(point.full.rps),
    fmt(point.bare.rps),
    fmt(point.throughputRatio, 2),
    `${fmt(point.full.latencyMs.p50, 1)} / ${fmt(point.bare.latencyMs.p50, 1)}`,
    signed(point.p50OverheadMs, 1),
    `${fmt(point.full.latencyMs.p99, 1)} / ${fmt(point.bare.latencyMs.p99, 1)}`,
    signed(point.p99OverheadMs, 1),
    `${fmt(point.cpuMsPerRequest.full.api ?? Number.NaN, 2)} / ` +
      fmt(point.cpuMsPerRequest.bare.bare ?? Number.NaN, 2),
  ]);
  return markdownTable(columns, rows);
}

function historyTable(aged: HistoryRun, fresh: HistoryRun): string {
  const columns: Column[] = [
    { title: 'Payments' },
    { title: 'Naive (ms)' },
    { title: 'Cold (ms)' },
    { title: 'Cold / naive' },
    { title: 'Warm (ms)' },
    { title: 'Naive / warm' },
    { title: 'Stripe calls per warm GET' },
    { title: 'Fresh: warm (ms)' },
    { title: 'Fresh: naive / warm' },
    { title: 'Fresh: Stripe calls per warm GET' },
  ];
  const rows = aged.points.map((point) => {
    const burst = fresh.points.find((other) => other.payments === point.payments);
    return [
      fmt(point.payments),
      fmt(point.naiveMs),
      fmt(point.coldMs),
      fmt(point.coldRatio, 2),
      fmt(point.warmMs, 1),
      fmt(point.warmSpeedup, 1),
      fmt(point.warmStripeCalls),
      burst === undefined ? 'n/a' : fmt(burst.warmMs, 1),
      burst === undefined ? 'n/a' : fmt(burst.warmSpeedup, 1),
      burst === undefined ? 'n/a' : fmt(burst.warmStripeCalls),
    ];
  });
  return markdownTable(columns, rows);
}

function sandboxTable(sandbox: SandboxResults): string {
  const rows = [
    ['sandbox', 'customers.create (tok_visa)', sandbox.customersCreate],
    [
      'stripe-stateful-mock 0.0.16',
      'customers.create (tok_visa)',
      sandbox.statefulMockCustomersCreate,
    ],
    ['sandbox', 'paymentIntents.create (confirm)', sandbox.paymentIntentsCreate],
  ] as const;
  return markdownTable(
    [
      { title: 'Server', text: true },
      { title: 'Call', text: true },
      { title: 'req/s' },
      { title: 'p50 (ms)' },
      { title: 'p99 (ms)' },
      { title: 'Server CPU per request (ms)' },
      { title: 'Server / load generator busy' },
    ],
    rows.map(([server, call, result]) => [
      server,
      call,
      fmt(result.rps),
      fmt(result.latencyMs.p50, 1),
      fmt(result.latencyMs.p99, 1),
      fmt(result.serverCpuMsPerRequest, 3),
      `${fmt(result.serverBusy * 100)}% / ${fmt(result.loadGeneratorBusy * 100)}%`,
    ]),
  );
}

/** The content of `latest.md`: what the README's performance section shows. */
export function buildMarkdown(results: BenchResults): string {
  const report = buildReport(results);
  const { machine, settings } = results;
  const goals = markdownTable(
    [
      { title: 'Target', text: true },
      { title: 'Goal' },
      { title: 'Measured' },
      { title: 'Met', text: true },
    ],
    report.targets.map((target) => [
      TARGET_LABELS[target.key] ?? target.key,
      target.goal,
      fmt(target.value, 2),
      target.met ? 'yes' : '**no**',
    ]),
  );
  const overlapMin = fmt(results.syncOverlapMs / 60_000, 0);
  const lines = [
    '<!-- Written by `npm run bench` (bench/run.ts). Do not edit: run the bench again. -->',
    `Measured ${report.timestamp.slice(0, 16).replace('T', ' ')} UTC on ${machine.cores} cores ` +
      `(${machine.cpuModel}), Node ${machine.node}, in ${fmt(report.durationSec)} s; 1-minute ` +
      `load average ${fmt(machine.loadAverage.start, 1)} at the start, ` +
      `${fmt(machine.loadAverage.end, 1)} at the end. Every server runs as its own process on ` +
      'loopback, load comes from autocannon in another; compare figures within one run only. ' +
      'Reproduce with `npm run bench`.',
    '',
    goals,
    '',
    `**Charging**: \`POST /api/payments\`, ${settings.chargingDurationSec} s per point, sandbox ` +
      'at 0 ms added latency. "Bare" is a minimal server making the same Stripe calls and nothing ' +
      `else. The API runs with NODE_ENV=${settings.api.nodeEnv}, LOG_LEVEL=` +
      `${settings.api.logLevel}, API keys ${settings.api.apiKeys}, the rate limit at ` +
      `${settings.api.rateLimit}, the ledger on ${settings.api.ledger}. Headline: throughput at the ` +
      'most connections, added latency at 1 connection.',
    '',
    chargingTable(results.charging),
    '',
    `**History**: \`GET /api/payments/:customer_id\` with ${settings.historyStripeLatencyMs} ms ` +
      'added to every Stripe call. Naive: all PaymentIntents listed with auto-pagination on each ' +
      `request. Cold: the customer's first GET; warm: median of ${settings.historyWarmRuns} later ` +
      'ones. Headline columns: payments seeded at the start of the run and measured once older ' +
      `than the sync's ${overlapMin}-minute overlap; "fresh": seeded in one burst just before, ` +
      'so every payment is inside that window and each warm sync lists them again.',
    '',
    historyTable(results.historyAged, results.historyFresh),
    '',
    `**Sandbox**: ${settings.sandboxConnections} connections, ${settings.sandboxDurationSec} s ` +
      'each, the requests the SDK sends (form body, Stripe-Version, a fresh Idempotency-Key). ' +
      'Busy: CPU time over wall time, 100% = one core; a load generator near 100% bounds the ' +
      'rate it measures. By server CPU per customers.create, the sandbox is ' +
      `${fmt(results.sandbox.vsStatefulMockCpu, 2)} times as efficient as stripe-stateful-mock.`,
    '',
    sandboxTable(results.sandbox),
  ];
  if (report.warnings.length > 0) {
    lines.push('', '**Warnings**:', '', ...report.warnings.map((warning) => `- ${warning}`));
  }
  return `${lines.join('\n')}\n`;
}
