/**
 * Issue 5, "Faults": 2,000 payment requests from clients that retry, while the sandbox fails 10%
 * of the API's Stripe calls with every kind of fault. Afterwards, with the faults off and the
 * sweeper done, the sandbox's records must show no double charge and nothing unrecorded.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLedger } from '../../src/ledger/index.ts';
import type { Ledger } from '../../src/payments/ledger.ts';
import type { FaultKind } from '../../src/sandbox/index.ts';
import { AnswerBook } from './support/answers.ts';
import {
  auditPayments,
  type ChargeRecord,
  lostPayments,
  type PaymentAudit,
} from './support/audit.ts';
import {
  abandonedUnknown,
  chargeCases,
  retriesOf,
  retryOutstanding,
  runCharges,
  unansweredTries,
} from './support/charge-load.ts';
import { type RegisteredCustomer, registerCustomer } from './support/customers.ts';
import { type FaultProxy, startFaultProxy, totalFaults } from './support/fault-proxy.ts';
import { LogCollector } from './support/logs.ts';
import {
  ApiInstance,
  newApiKey,
  type SandboxProcess,
  STRIPE_KEY,
  startSandboxProcess,
} from './support/processes.ts';
import { DEFAULT_POLICY } from './support/retrying-client.ts';
import { itKeepsThePaymentInvariants, summaryLine } from './support/scenario.ts';
import { leaseMs, waitForNoPendingAttempts } from './support/sweeps.ts';

const REQUESTS = 2_000;
const CONCURRENCY = 16;
const FAULT_RATE = 0.1;
const ALL_FAULTS: FaultKind[] = [
  'http_500',
  'http_503',
  'http_429',
  'http_429_retry',
  'reset',
  'hang',
];
/** Low, so hangs cost little; the SDK's default retries stay on (2). */
const STRIPE_TIMEOUT_MS = 2_000;
const STRIPE_RETRIES = 2;
/** A hang outlasts the API's timeout, so the API gives up first, as it would on real Stripe. */
const HANG_MS = 2_500;
const LEASE_MS = leaseMs(STRIPE_TIMEOUT_MS, STRIPE_RETRIES);
/** The shortest grace the configuration accepts: just past the lease. */
const GRACE_MS = LEASE_MS + 1_000;

/** One client in twenty gives up after one try: its payments are the sweeper's to record. */
const ABANDON_EVERY = 20;

/** Four customers whose card pays and one whose card is declined on every charge. */
const CUSTOMER_CARDS = ['pays', 'pays', 'pays', 'pays', 'declines'] as const;

describe(`faults: ${REQUESTS} payments while the sandbox fails ${FAULT_RATE * 100}% of Stripe calls`, () => {
  const logs = new LogCollector();
  const book = new AnswerBook();
  const apiKey = newApiKey();
  const started = Date.now();
  let dir: string | undefined;
  let sandbox: SandboxProcess | undefined;
  let proxy: FaultProxy | undefined;
  let api: ApiInstance | undefined;
  let ledger: Ledger | undefined;
  const customers: RegisteredCustomer[] = [];
  let records: ChargeRecord[] = [];
  let audit: PaymentAudit | undefined;
  const figures: Record<string, number | string> = {};

  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'reliability-faults-'));
      sandbox = await startSandboxProcess();
      proxy = await startFaultProxy(sandbox.url, HANG_MS);
      api = await ApiInstance.start(
        {
          stripeBase: proxy.url,
          dataDir: dir,
          apiKey,
          stripeTimeoutMs: STRIPE_TIMEOUT_MS,
          stripeMaxNetworkRetries: STRIPE_RETRIES,
          sweepIntervalMs: 1_000,
          pendingAttemptGraceMs: GRACE_MS,
        },
        logs,
        'api',
      );
      const target = {
        baseUrl: api.url,
        apiKey,
        concurrency: CONCURRENCY,
        policy: DEFAULT_POLICY,
        book,
      };

      for (const card of CUSTOMER_CARDS) {
        customers.push(await registerCustomer(target, sandbox.stripe, card, book, DEFAULT_POLICY));
      }

      await sandbox.configure({ faults: { rate: FAULT_RATE, kinds: ALL_FAULTS, hangMs: HANG_MS } });
      const stripeCallsBefore = proxy.requests();
      const sandboxBefore = (await sandbox.stats()).total;
      const loadStarted = Date.now();
      records = await runCharges(chargeCases(customers, REQUESTS, 'faults', ABANDON_EVERY), target);
      figures.loadSeconds = Math.round((Date.now() - loadStarted) / 1000);
      await sandbox.configure({ faults: { rate: 0 } });

      figures.outstandingRetried = await retryOutstanding(records, target);
      ledger = await createLedger({ sqliteFile: join(dir, 'ledger.sqlite') });
      figures.pendingAfterLoad = await waitForNoPendingAttempts(ledger, GRACE_MS + 120_000);
      // Until now only the API called the sandbox, through the proxy; the audit reads it directly.
      figures.stripeCalls = proxy.requests() - stripeCallsBefore;
      figures.sandboxRequests = (await sandbox.stats()).total - sandboxBefore;
      audit = await auditPayments(
        sandbox.stripe,
        ledger,
        customers.map((c) => c.id),
        records,
      );
    },
    { timeout: 12 * 60_000 },
  );

  after(async () => {
    const faults = proxy?.faults();
    console.log(
      summaryLine('faults', {
        requests: records.length,
        tries: records.reduce((sum, record) => sum + record.outcome.tries.length, 0),
        retries: retriesOf(records),
        triesWithoutAnswer: unansweredTries(records),
        abandonedUnknown: abandonedUnknown(records),
        ...figures,
        faultsInjected: faults === undefined ? 'n/a' : totalFaults(faults),
        ...Object.fromEntries(Object.entries(faults ?? {}).map(([k, n]) => [`fault.${k}`, n])),
        sweeperRecorded: logs.count('sweeper recorded attempt'),
        sweeperFailed: logs.count('sweeper marked attempt failed'),
        answers: book.describe().replaceAll(' ', ','),
        paymentIntents: audit?.paymentIntents ?? 'n/a',
        succeeded: audit?.succeeded ?? 'n/a',
        duplicates: audit?.duplicates.length ?? 'n/a',
        doubleCharges: audit?.doubleCharges.length ?? 'n/a',
        lost: audit === undefined ? 'n/a' : lostPayments(audit),
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
    await ledger?.close();
    await api?.stop();
    await proxy?.close();
    await sandbox?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('injected every kind of fault during the load, on every Stripe call the API made', () => {
    const faults = proxy?.faults();
    assert.ok(faults !== undefined);
    for (const kind of ALL_FAULTS) assert.ok(faults[kind] > 0, `no ${kind} fault was injected`);
    // The proxy passed on every call, so it saw every fault.
    assert.ok(typeof figures.stripeCalls === 'number' && figures.stripeCalls > REQUESTS);
    assert.equal(figures.stripeCalls, figures.sandboxRequests);
  });

  itKeepsThePaymentInvariants({
    audit: () => audit,
    book,
    // No 500: Stripe failing is a 502, 503 or 504, never our own fault.
    expectedAnswers: [
      '201',
      '402 card_declined',
      '409 idempotency_key_in_use',
      '502 stripe_error',
      '503 stripe_unavailable',
      '504 stripe_timeout',
    ],
    logs,
    secrets: () => [STRIPE_KEY, apiKey, ...customers.flatMap((c) => [c.token, c.email])],
  });
});
