/**
 * Issue 5, "Crashes": the API process is killed with SIGKILL three times while clients charge,
 * and started again on the same data. Once the crashed requests' leases have run out the clients
 * retry what is still outstanding; with the sweeper done, the same invariants as under faults hold.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLedger } from '../../src/ledger/index.ts';
import type { Ledger } from '../../src/payments/ledger.ts';
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
import { LogCollector } from './support/logs.ts';
import {
  ApiInstance,
  newApiKey,
  type SandboxProcess,
  STRIPE_KEY,
  startSandboxProcess,
} from './support/processes.ts';
import { DEFAULT_POLICY, sleep } from './support/retrying-client.ts';
import { itKeepsThePaymentInvariants, summaryLine } from './support/scenario.ts';
import { leaseMs, waitForNoPendingAttempts } from './support/sweeps.ts';

const REQUESTS = 900;
const CONCURRENCY = 16;
/** After how many finished requests each SIGKILL strikes. */
const KILL_AFTER = [180, 400, 620];
const STRIPE_TIMEOUT_MS = 2_000;
/** No faults here: SDK retries would only lengthen the lease the outstanding keys wait out. */
const STRIPE_RETRIES = 0;
const LEASE_MS = leaseMs(STRIPE_TIMEOUT_MS, STRIPE_RETRIES);
const GRACE_MS = LEASE_MS + 1_000;
/** Stripe calls take a while, so that most kills find a PaymentIntent under way. */
const SANDBOX_LATENCY = { fixedMs: 20, jitterMs: 40 };

/** One client in twenty gives up after one try: its payments are the sweeper's to record. */
const ABANDON_EVERY = 20;

/** Four customers whose card pays and one whose card is declined on every charge. */
const CUSTOMER_CARDS = ['pays', 'pays', 'pays', 'pays', 'declines'] as const;

describe(`crashes: ${REQUESTS} payments, the API killed with SIGKILL ${KILL_AFTER.length} times`, () => {
  const logs = new LogCollector();
  const book = new AnswerBook();
  const apiKey = newApiKey();
  const started = Date.now();
  let dir: string | undefined;
  let sandbox: SandboxProcess | undefined;
  let api: ApiInstance | undefined;
  let ledger: Ledger | undefined;
  const customers: RegisteredCustomer[] = [];
  let records: ChargeRecord[] = [];
  let audit: PaymentAudit | undefined;
  let kills = 0;
  const figures: Record<string, number | string> = {};

  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'reliability-crashes-'));
      sandbox = await startSandboxProcess();
      const instance = await ApiInstance.start(
        {
          stripeBase: sandbox.url,
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
      api = instance;
      const target = { baseUrl: instance.url, apiKey, concurrency: CONCURRENCY, book };
      const setup = { ...target, policy: DEFAULT_POLICY };
      for (const card of CUSTOMER_CARDS) {
        customers.push(await registerCustomer(setup, sandbox.stripe, card, book, DEFAULT_POLICY));
      }
      await sandbox.configure({ latency: SANDBOX_LATENCY });

      // Each kill is followed at once by a restart; the load goes on throughout.
      const crashes: Promise<void>[] = [];
      let crashing = false;
      let lastKill = Date.now();
      const onDone = (done: number) => {
        const threshold = KILL_AFTER[kills];
        if (crashing || threshold === undefined || done < threshold) return;
        kills += 1;
        crashing = true;
        const crash = async () => {
          await instance.kill();
          lastKill = Date.now();
          await instance.restart();
        };
        const crashed = crash().finally(() => {
          crashing = false;
        });
        // Awaited after the load; until then a failed restart must not count as unhandled.
        crashed.catch(() => {});
        crashes.push(crashed);
      };
      records = await runCharges(chargeCases(customers, REQUESTS, 'crashes', ABANDON_EVERY), {
        ...setup,
        onDone,
      });
      await Promise.all(crashes);

      // A killed request holds its key until the lease runs out; then a retry takes it over.
      await sleep(Math.max(0, lastKill + LEASE_MS + 1_000 - Date.now()));
      figures.outstandingRetried = await retryOutstanding(records, setup);
      ledger = await createLedger({ sqliteFile: join(dir, 'ledger.sqlite') });
      figures.pendingAfterLoad = await waitForNoPendingAttempts(ledger, GRACE_MS + 120_000);
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
    console.log(
      summaryLine('crashes', {
        requests: records.length,
        tries: records.reduce((sum, record) => sum + record.outcome.tries.length, 0),
        retries: retriesOf(records),
        triesWithoutAnswer: unansweredTries(records),
        abandonedUnknown: abandonedUnknown(records),
        restarts: kills,
        ...figures,
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
    await sandbox?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('killed the API three times during the load and restarted it each time', () => {
    assert.equal(kills, KILL_AFTER.length);
    assert.equal(api?.starts, KILL_AFTER.length + 1);
  });

  itKeepsThePaymentInvariants({
    audit: () => audit,
    book,
    // No 5xx at all: a crash loses the connection, and the restarted API answers in full.
    expectedAnswers: ['201', '402 card_declined', '409 idempotency_key_in_use'],
    logs,
    secrets: () => [STRIPE_KEY, apiKey, ...customers.flatMap((c) => [c.token, c.email])],
  });
});
