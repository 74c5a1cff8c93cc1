import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import Stripe from 'stripe';
import { Idempotency } from '../../src/sandbox/idempotency.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { Store } from '../../src/sandbox/store.ts';
import {
  expectRejection,
  resetSandbox,
  startTestSandbox,
  type TestSandbox,
} from '../support/sandbox.ts';

/** State kept in a SQLite file survives a restart; in memory it belongs to one instance. */
describe('sandbox persistence', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-persistence-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `fn` against a sandbox on `file`, closing it afterwards whatever happens. */
  async function withSandbox<T>(file: string, fn: (t: TestSandbox) => Promise<T>): Promise<T> {
    const t = await startTestSandbox({ databaseFile: file });
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  }

  it('keeps customers, cards, PaymentIntents, tokens and idempotency records across a restart', async () => {
    const file = join(dir, 'restart.db');
    const nextYear = String(new Date().getUTCFullYear() + 1);

    const before = await withSandbox(file, async ({ stripe }) => {
      const customer = await stripe.customers.create(
        { email: 'kept@example.com', source: 'tok_visa' },
        { idempotencyKey: 'persist-create' },
      );
      const pi = await stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        confirm: true,
        off_session: true,
      });
      const token = await stripe.tokens.create({
        card: { number: '4242424242424242', exp_month: '1', exp_year: nextYear },
      });
      await stripe.customers.createSource(customer.id, { source: token.id });
      const gone = await stripe.customers.create({ email: 'gone@example.com' });
      await stripe.customers.del(gone.id);
      return { customer, pi, token, gone };
    });
    assert.ok(existsSync(file));

    await withSandbox(file, async ({ stripe }) => {
      const customer = await stripe.customers.retrieve(before.customer.id);
      assert.equal(customer.deleted, undefined);
      if (!customer.deleted) assert.equal(customer.default_source, before.customer.default_source);
      assert.equal((await stripe.customers.listSources(before.customer.id)).data.length, 2);

      const pis = await stripe.paymentIntents.list({ customer: before.customer.id });
      assert.deepEqual(
        pis.data.map((pi) => [pi.id, pi.status]),
        [[before.pi.id, 'succeeded']],
      );
      assert.equal((await stripe.charges.retrieve(String(before.pi.latest_charge))).paid, true);
      assert.equal((await stripe.customers.retrieve(before.gone.id)).deleted, true);

      const replay = await stripe.customers.create(
        { email: 'kept@example.com', source: 'tok_visa' },
        { idempotencyKey: 'persist-create' },
      );
      assert.equal(replay.id, before.customer.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');

      const reuse = await expectRejection(
        stripe.customers.create({ source: before.token.id }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(reuse.code, 'token_already_used');
    });
  });

  it('keeps a reset across a restart', async () => {
    const file = join(dir, 'reset.db');
    await withSandbox(file, async (t) => {
      await t.stripe.customers.create({ email: 'wiped@example.com' });
      await resetSandbox(t.sandbox);
    });

    await withSandbox(file, async ({ stripe }) => {
      assert.equal((await stripe.customers.list()).data.length, 0);
    });
  });

  it('gives each in-memory sandbox its own state', async () => {
    const first = await startTestSandbox();
    const second = await startTestSandbox();
    try {
      const customer = await first.stripe.customers.create({ email: 'mine@example.com' });
      await expectRejection(
        second.stripe.customers.retrieve(customer.id),
        Stripe.errors.StripeInvalidRequestError,
      );
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('refuses a database file written by another schema, naming the file', async () => {
    const file = join(dir, 'foreign.db');
    const foreign = new Database(file);
    foreign.exec('CREATE TABLE customers (id TEXT)');
    foreign.close();

    await assert.rejects(startSandbox({ port: 0, databaseFile: file }), (error: Error) =>
      error.message.includes(file),
    );
  });

  it('forgets idempotency records after 24 hours, also across a restart', () => {
    const file = join(dir, 'expiry.db');
    const day = 24 * 60 * 60;
    const record = {
      scope: '',
      endpoint: 'POST /v1/customers',
      fingerprint: 'f',
      status: 200,
      body: '{}',
      requestId: 'req_1',
      created: 1_000_000,
    };

    const store = new Store(file);
    const first = new Idempotency(store).admit('sk_test_a', 'k1', record.endpoint, 'f', 1_000_000);
    assert.equal(first.kind, 'execute');
    if (first.kind === 'execute') store.putIdempotency({ ...record, scope: first.scope });
    store.close();

    const reopened = new Store(file);
    const idempotency = new Idempotency(reopened);
    const replay = idempotency.admit('sk_test_a', 'k1', record.endpoint, 'f', 1_000_000 + day - 1);
    assert.equal(replay.kind, 'replay');
    const otherKey = idempotency.admit('sk_test_b', 'k1', record.endpoint, 'f', 1_000_000 + 1);
    assert.equal(otherKey.kind, 'execute');
    const expired = idempotency.admit('sk_test_a', 'k1', record.endpoint, 'f', 1_000_000 + day);
    assert.equal(expired.kind, 'execute');
    reopened.close();
  });
});
