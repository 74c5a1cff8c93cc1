/**
 * `npm run bench`: every scenario of issue 5 in one process tree. Starts the sandbox, the API, the
 * bare baseline and a load-generator process; seeds; measures charging, the sandbox itself and
 * history; prints the tables and writes bench/results/latest.json and latest.md. Every child is
 * stopped at the end, on failure and on Ctrl-C.
 *
 * BENCH_QUICK=1 runs a short version (smaller histories, shorter points, no wait for the seeded
 * payments to age) to try the machinery; its figures are not the benchmark's.
 */
import { rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { DEFAULT_SETTINGS } from '../src/payments/deps.ts';
import { LoadGenerator } from './load/client.ts';
import {
  API_HEADERS,
  ProcessGroup,
  startApi,
  startBareServer,
  startSandboxProcess,
} from './processes.ts';
import {
  type BenchResults,
  type BenchSettings,
  buildMarkdown,
  buildReport,
  type HistoryRun,
  type Machine,
} from './report.ts';
import { stripeAt } from './sandbox-control.ts';
import { runCharging } from './scenarios/charging.ts';
import { type HistoryCustomer, type HistoryOptions, runHistory } from './scenarios/history.ts';
import { runSandboxScenario } from './scenarios/sandbox.ts';
import { createCardCustomer, seedPayments, sleep } from './seed.ts';
import { round } from './stats.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const RESULTS = new URL('./results/', import.meta.url).pathname;

const CHARGING_CONNECTIONS = QUICK ? [1, 8, 64] : [1, 2, 4, 8, 16, 32, 64];
const CHARGING_DURATION_SEC = QUICK ? 2 : 10;
const SANDBOX_CONNECTIONS = 16;
const SANDBOX_DURATION_SEC = QUICK ? 2 : 8;
const WARMUP_SEC = QUICK ? 1 : 3;
const HISTORY_SIZES = QUICK ? [10, 100, 1_000] : [10, 100, 1_000, 10_000];
const HISTORY_LATENCY_MS = 50;
const HISTORY_WARM_RUNS = 5;
/** The naive history of 10,000 payments is a hundred 50 ms calls: three runs are enough. */
const naiveRuns = (payments: number) => (payments >= 10_000 ? 3 : 5);
/** Beyond the overlap, so that no clock difference puts a seeded payment back inside it. */
const AGE_MARGIN_MS = 15_000;

function log(line: string): void {
  const elapsed = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${elapsed} s] ${line}\n`);
}

function machine(loadStart: number): Machine {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    node: process.version,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    platform: process.platform,
    arch: process.arch,
    totalMemGb: round(totalmem() / 1024 ** 3, 1),
    loadAverage: { start: round(loadStart, 2), end: round(loadavg()[0] ?? Number.NaN, 2) },
  };
}

/** Registers the customer the charging scenario charges, through the API itself. */
async function registerCustomer(apiUrl: string): Promise<string> {
  const response = await fetch(`${apiUrl}/api/customer`, {
    method: 'POST',
    headers: API_HEADERS,
    body: JSON.stringify({
      email: 'bench-charging@example.com',
      stripeCreditCardToken: 'tok_visa',
    }),
  });
  const body: unknown = await response.json();
  if (response.status !== 201 || typeof body !== 'object' || body === null) {
    throw new Error(`registering the bench customer answered ${response.status}`);
  }
  const id = 'stripeCustomerID' in body ? body.stripeCustomerID : undefined;
  if (typeof id !== 'string') throw new Error('registering the bench customer gave no id');
  return id;
}

/** Customers with the history sizes, their payments made in the sandbox. */
async function seedHistories(
  sandboxUrl: string,
  label: string,
  newestApart: boolean,
): Promise<{ customers: HistoryCustomer[]; seedMs: number; seededAt: number }> {
  const stripe = stripeAt(sandboxUrl);
  const orders = [];
  for (const payments of HISTORY_SIZES) {
    const customer = await createCardCustomer(stripe, `bench-${label}-${payments}@example.com`);
    orders.push({ customer, payments });
  }
  const seedMs = await seedPayments(stripe, orders, { newestApart });
  const total = HISTORY_SIZES.reduce((sum, size) => sum + size, 0);
  log(`seeded ${total} ${label} payments in ${(seedMs / 1000).toFixed(1)} s`);
  const customers = orders.map((order) => ({
    payments: order.payments,
    customerId: order.customer.id,
  }));
  return { customers, seedMs, seededAt: Date.now() };
}

const started = performance.now();
const startedAt = new Date();
const loadStart = loadavg()[0] ?? Number.NaN;
const group = new ProcessGroup();
let load: LoadGenerator | undefined;

async function cleanUp(): Promise<void> {
  await load?.close();
  await group.stopAll();
}

process.on('exit', () => {
  group.killAllNow();
  load?.killNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process of the run`);
    cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  if (QUICK) log('BENCH_QUICK=1: a short trial run, not the benchmark');
  load = await LoadGenerator.start();
  const sandbox = await startSandboxProcess(group);
  log(`sandbox at ${sandbox.url}`);

  // Seeded first, so that by the time they are measured they are older than the sync's overlap.
  const aged = await seedHistories(sandbox.url, 'aged', true);
  const agedAt = aged.seededAt;

  const api = await startApi(group, sandbox.url);
  const bare = await startBareServer(group, sandbox.url);
  log(`API at ${api.url}, bare baseline at ${bare.url}`);
  const customerId = await registerCustomer(api.url);

  log('scenario 1+4: charging');
  const charging = await runCharging(load, {
    apiUrl: api.url,
    bareUrl: bare.url,
    pids: {
      api: api.child.pid,
      bare: bare.child.pid,
      sandbox: sandbox.child.pid,
      loadGenerator: load.pid,
    },
    customerId,
    connections: CHARGING_CONNECTIONS,
    durationSec: CHARGING_DURATION_SEC,
    warmupSec: WARMUP_SEC,
    log,
  });

  log('scenario 3: the sandbox itself');
  const sandboxResults = await runSandboxScenario(load, group, {
    connections: SANDBOX_CONNECTIONS,
    durationSec: SANDBOX_DURATION_SEC,
    warmupSec: WARMUP_SEC,
    log,
  });

  const historyOptions: HistoryOptions = {
    apiUrl: api.url,
    naiveUrl: bare.url,
    sandboxUrl: sandbox.url,
    stripeLatencyMs: HISTORY_LATENCY_MS,
    warmRuns: HISTORY_WARM_RUNS,
    naiveRuns,
    log,
  };

  log('scenario 2+4: history, payments seeded just now ("fresh")');
  const fresh = await seedHistories(sandbox.url, 'fresh', false);
  const historyFresh: HistoryRun = {
    seedMs: fresh.seedMs,
    ageAtFirstGetSec: round((Date.now() - fresh.seededAt) / 1000, 1),
    points: await runHistory(load, historyOptions, fresh.customers),
  };

  const overlapMs = DEFAULT_SETTINGS.syncOverlapMs;
  const wait = agedAt + overlapMs + AGE_MARGIN_MS - Date.now();
  if (wait > 0 && !QUICK) {
    log(`waiting ${(wait / 1000).toFixed(0)} s until the aged payments are older than the overlap`);
    await sleep(wait);
  }
  log('scenario 2+4: history, payments seeded at the start ("aged")');
  const ageAtFirstGetSec = round((Date.now() - agedAt) / 1000, 1);
  const historyAged: HistoryRun = {
    points: await runHistory(load, historyOptions, aged.customers),
    seedMs: aged.seedMs,
    ageAtFirstGetSec,
  };

  const settings: BenchSettings = {
    chargingDurationSec: CHARGING_DURATION_SEC,
    chargingConnections: CHARGING_CONNECTIONS,
    sandboxDurationSec: SANDBOX_DURATION_SEC,
    sandboxConnections: SANDBOX_CONNECTIONS,
    historyStripeLatencyMs: HISTORY_LATENCY_MS,
    historyWarmRuns: HISTORY_WARM_RUNS,
    api: {
      nodeEnv: 'production',
      logLevel: 'warn',
      apiKeys: 'on',
      rateLimit: 'RATE_LIMIT_MAX=1000000 per 60 s (never reached; still counted)',
      ledger: 'SQLite',
    },
  };
  const results: BenchResults = {
    startedAt,
    finishedAt: new Date(),
    machine: machine(loadStart),
    settings,
    charging,
    historyAged,
    historyFresh,
    syncOverlapMs: overlapMs,
    sandbox: sandboxResults,
  };

  const markdown = buildMarkdown(results);
  await writeAtomically(
    `${RESULTS}latest.json`,
    `${JSON.stringify(buildReport(results), null, 2)}\n`,
  );
  await writeAtomically(`${RESULTS}latest.md`, markdown);
  process.stdout.write(`\n${markdown}\n`);
  log('wrote bench/results/latest.json and latest.md');
}

/** Written whole or not at all: an interrupted run leaves the previous results in place. */
async function writeAtomically(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  if (error instanceof Error && error.cause !== undefined) {
    process.stderr.write(
      `cause: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}\n`,
    );
  }
} finally {
  await cleanUp();
}
