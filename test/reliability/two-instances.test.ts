/**
 * Issue 5, "Two instances": two API processes on one PostgreSQL database and one standalone
 * sandbox. Identical requests with one Idempotency-Key, spread over both at once, make exactly
 * one PaymentIntent; one email registered at once through both makes exactly one customer.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
import { CARDS, cardToken, newEmail, registerCustomer } from './support/customers.ts';
import { stringField } from './support/http.ts';
import { LogCollector } from './support/logs.ts';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.ts';
import {
  ApiInstance,
  type ApiSettings,
  newApiKey,
  type SandboxProcess,
  STRIPE_KEY,
  startSandboxProcess,
} from './support/processes.ts';
import { type PostOutcome, postWithRetries, type RetryPolicy } from './support/retrying-client.ts';
import {
  assertAllRecorded,
  assertAnswersTrue,
  assertNoDoubleCharge,
  assertNone,
  assertNoSecrets,
  summaryLine,
  unexpectedAnswers,
} from './support/scenario.ts';
import { waitForNoPendingAttempts } from './support/sweeps.ts';

const DATABASE_URL = process.env.DATABASE_URL;
const KEYS = 10;
const REQUESTS_PER_KEY = 16;
const EMAILS = 5;
const REGISTRATIONS_PER_EMAIL = 8;

/** Patient: a request that finds its key in use waits for the other instance to finish. */
const POLICY: RetryPolicy = { maxRetries: 40, timeoutMs: 60_000, baseDelayMs: 50, maxDelayMs: 500 };

/** How the same address may be typed by different callers: the API trims and lower-cases it. */
function spellings(email: string): string[] {
  return [email, email.toLowerCase(), ` ${email.toUpperCase()} `, `${email.toLowerCase()}\t`];
}

describe('two instances: two API processes on one PostgreSQL database', {
  skip: DATABASE_URL === undefined || DATABASE_URL === '' ? 'DATABASE_URL not set' : false,
}, () => {
  const logs = new LogCollector();
  const book = new AnswerBook();
  const apiKey = newApiKey();
  const started = Date.now();
  const secrets: string[] = [STRIPE_KEY, apiKey];
  let database: ScratchDatabase | undefined;
  let dirs: string[] = [];
  let sandbox: SandboxProcess | undefined;
  let apis: ApiInstance[] = [];
  let ledger: Ledger | undefined;
  let customerId = '';
  const charges: ChargeRecord[] = [];
  const registrations = new Map<string, PostOutcome[]>();
  let audit: PaymentAudit | undefined;

  before(
    async () => {
      assert.ok(DATABASE_URL);
      database = await createScratchDatabase(DATABASE_URL);
      const box = await startSandboxProcess();
      sandbox = box;
      dirs = [
        await mkdtemp(join(tmpdir(), 'reliability-a-')),
        await mkdtemp(join(tmpdir(), 'reliability-b-')),
      ];
      const settings = (dataDir: string): ApiSettings => ({
        stripeBase: box.url,
        dataDir,
        databaseUrl: database?.url,
        apiKey,
        stripeTimeoutMs: 10_000,
        stripeMaxNetworkRetries: 2,
        sweepIntervalMs: 1_000,
        pendingAttemptGraceMs: 900_000,
      });
      // Started together: both run the migrations on the empty database at once.
      const starting = await Promise.allSettled(
        dirs.map((dir, i) => ApiInstance.start(settings(dir), logs, `api-${'ab'[i]}`)),
      );
      // Whatever started is stopped in `after`, even when the other failed.
      apis = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      for (const s of starting) if (s.status === 'rejected') throw s.reason;
      const [a, b] = apis;
      assert.ok(a !== undefined && b !== undefined);

      const customer = await registerCustomer(
        { baseUrl: a.url, apiKey },
        box.stripe,
        'pays',
        book,
        POLICY,
      );
      customerId = customer.id;
      secrets.push(customer.token, customer.email, customer.email.toLowerCase());

      // Every key: its requests all at once, alternately to each instance.
      for (let k = 0; k < KEYS; k += 1) {
        const record: ChargeRecord = {
          key: `two-${k}-${randomUUID()}`,
          customerId,
          amount: 1_000 + k,
          abandons: false,
          outcome: { tries: [], final: null },
        };
        const outcomes = await Promise.all(
          Array.from({ length: REQUESTS_PER_KEY }, (_, i) =>
            postWithRetries(
              {
                baseUrl: (i % 2 === 0 ? a : b).url,
                apiKey,
                path: '/api/payments',
                body: { stripeCustomerID: customerId, amount: record.amount },
                key: record.key,
              },
              POLICY,
              book,
            ),
          ),
        );
        record.outcome.tries = outcomes.flatMap((o) => o.tries);
        record.outcome.final = outcomes.every((o) => o.final !== null)
          ? (outcomes[0]?.final ?? null)
          : null;
        charges.push(record);
      }

      // Every email: registrations at once through both, each with its own token and key.
      for (let e = 0; e < EMAILS; e += 1) {
        const email = newEmail(`race${e}`);
        const tokens = await Promise.all(
          Array.from({ length: REGISTRATIONS_PER_EMAIL }, () => cardToken(box.stripe, CARDS.pays)),
        );
        const typed = spellings(email);
        secrets.push(...tokens, email.toLowerCase());
        const outcomes = await Promise.all(
          tokens.map((token, i) =>
            postWithRetries(
              {
                baseUrl: (i % 2 === 0 ? a : b).url,
                apiKey,
                path: '/api/customer',
                body: { email: typed[i % typed.length], stripeCreditCardToken: token },
                key: `reg-${randomUUID()}`,
              },
              POLICY,
              book,
            ),
          ),
        );
        registrations.set(email.toLowerCase(), outcomes);
      }

      ledger = await createLedger({ databaseUrl: database.url });
      await waitForNoPendingAttempts(ledger, 60_000);
      audit = await auditPayments(box.stripe, ledger, [customerId], charges);
    },
    { timeout: 10 * 60_000 },
  );

  after(async () => {
    const customers = [...registrations.values()].flat().filter((o) => o.final?.status === 201);
    console.log(
      summaryLine('two-instances', {
        keys: charges.length,
        requestsPerKey: REQUESTS_PER_KEY,
        tries: charges.reduce((sum, record) => sum + record.outcome.tries.length, 0),
        keyInUse409: book.byError.get('409 idempotency_key_in_use') ?? 0,
        paymentIntents: audit?.paymentIntents ?? 'n/a',
        duplicates: audit?.duplicates.length ?? 'n/a',
        lost: audit === undefined ? 'n/a' : lostPayments(audit),
        emails: registrations.size,
        registrationsPerEmail: REGISTRATIONS_PER_EMAIL,
        customersCreated: customers.length,
        customerExists409: book.byError.get('409 customer_exists') ?? 0,
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
    await ledger?.close();
    await Promise.all(apis.map((api) => api.stop()));
    await sandbox?.stop();
    await database?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('makes exactly one PaymentIntent per key, named by every 201 of that key', () => {
    assert.ok(audit !== undefined);
    assertNoDoubleCharge(audit);
    assertAnswersTrue(audit);
    for (const record of charges) {
      const named = new Set(
        record.outcome.tries.flatMap((t) =>
          t.kind === 'answer' && t.status === 201 ? [t.paymentIntentID] : [],
        ),
      );
      assert.equal(named.size, 1, `key ${record.key}: answers named ${[...named].join(', ')}`);
      assert.notEqual(record.outcome.final, null, `key ${record.key}: a request had no answer`);
    }
    assert.equal(audit.paymentIntents, KEYS);
  });

  it('records every PaymentIntent in the shared ledger', () => {
    assert.ok(audit !== undefined);
    assertAllRecorded(audit);
  });

  it('makes exactly one customer per email registered at once through both', async () => {
    assert.ok(sandbox !== undefined);
    for (const [email, outcomes] of registrations) {
      const made = await sandbox.stripe.customers.list({ email, limit: 100 });
      assert.equal(made.data.length, 1, `${email}: ${made.data.length} customers in the sandbox`);
      const created = outcomes.filter((o) => o.final?.status === 201);
      assert.equal(created.length, 1, `${email}: ${created.length} registrations answered 201`);
      assert.equal(stringField(created[0]?.final?.body, 'stripeCustomerID'), made.data[0]?.id);
      const refused = outcomes.filter(
        (o) => o.final?.status === 409 && stringField(o.final.body, 'code') === 'customer_exists',
      );
      assert.equal(refused.length, outcomes.length - 1, `${email}: the others were not 409`);
    }
  });

  it('answered only 201, 409 key in use and 409 customer exists, as problem documents', () => {
    assertNone(book.violations, 'answers breaking the error contract');
    assertNone(
      unexpectedAnswers(book, ['201', '409 idempotency_key_in_use', '409 customer_exists']),
      'unexpected answers',
    );
  });

  it('logged no Stripe key, API key, card token or full email in either process', () => {
    assertNoSecrets(logs, book, secrets);
  });
});
