import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ApiHarness,
  LEDGER_KIND,
  startApiHarness,
  str,
  uniqueEmail,
  waitFor,
} from '../support/api.ts';
import { configureSandbox, isRecord, prop } from '../support/sandbox.ts';

interface Row {
  id: string;
  amount: number;
  currency: string;
  status: string;
  created: string;
}

function rowsOf(body: unknown): Row[] {
  const payments = prop(body, 'payments');
  assert.ok(Array.isArray(payments), JSON.stringify(body));
  return payments.map((p: unknown) => {
    assert.ok(isRecord(p));
    const { id, amount, currency, status, created } = p;
    assert.ok(typeof id === 'string' && typeof amount === 'number');
    assert.ok(typeof currency === 'string' && typeof status === 'string');
    assert.ok(typeof created === 'string');
    return { id, amount, currency, status, created };
  });
}

describe(`GET /api/payments/:customer_id (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness();
  });
  after(() => api.close());

  async function customer(token = 'tok_visa'): Promise<string> {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: token },
    });
    return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
  }

  async function charge(customerId: string, amount: number): Promise<string> {
    const res = await api.request('POST', '/api/payments', {
      json: { stripeCustomerID: customerId, amount },
    });
    return str(res.body, 'paymentIntentID') ?? assert.fail(res.text);
  }

  const listCalls = async () => (await api.stats()).byRoute['GET /v1/payment_intents'] ?? 0;

  it('answers {"payments": []} for a customer without payments', async () => {
    const id = await customer();

    const res = await api.request('GET', `/api/payments/${id}`);

    assert.equal(res.status, 200);
    assert.equal(res.text, '{"payments":[]}');
  });

  it('lists all of 150 payments newest first, then needs one Stripe list call per visit', async () => {
    const id = await customer();
    const made: string[] = [];
    for (let batch = 0; batch < 15; batch++) {
      const amounts = Array.from({ length: batch < 14 ? 10 : 9 }, (_, i) => 100 + batch * 10 + i);
      made.push(...(await Promise.all(amounts.map((amount) => charge(id, amount)))));
    }
    // The last payment in a second of its own (Stripe's `created` counts seconds), so that the
    // newest second, which every later sync asks for again, holds one payment, not a hundred.
    const [newest] = (await api.stripe.paymentIntents.list({ customer: id, limit: 1 })).data;
    await waitFor(async () => Date.now() >= ((newest?.created ?? 0) + 1) * 1000);
    made.push(await charge(id, 5000));

    // Time passes before the customer looks: the payments are older than the sync's overlap.
    api.clock.advance(api.deps.settings.syncOverlapMs);
    const callsBefore = await listCalls();
    const first = await api.request('GET', `/api/payments/${id}`);
    const callsFirst = (await listCalls()) - callsBefore;
    const second = await api.request('GET', `/api/payments/${id}`);
    const callsSecond = (await listCalls()) - callsBefore - callsFirst;

    const rows = rowsOf(first.body);
    assert.equal(rows.length, 150);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(made));
    for (let i = 1; i < rows.length; i++) {
      assert.ok((rows[i - 1]?.created ?? '') >= (rows[i]?.created ?? ''), 'newest first');
    }
    for (const row of rows) {
      assert.match(row.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual([row.currency, row.status], ['usd', 'succeeded']);
    }
    assert.equal(callsFirst, 2, 'the first visit pages through all 150 (100 + 50)');
    assert.equal(callsSecond, 1);
    assert.deepEqual(second.body, first.body);
  });

  it('shows a payment made directly in Stripe, outside this API', async () => {
    const id = await customer();
    await charge(id, 1000);
    await api.request('GET', `/api/payments/${id}`);
    const stripeCustomer = await api.stripe.customers.retrieve(id);
    assert.ok(!stripeCustomer.deleted);
    const pm = String(stripeCustomer.invoice_settings.default_payment_method);

    const outside = await api.stripe.paymentIntents.create({
      amount: 3333,
      currency: 'usd',
      customer: id,
      payment_method: pm,
      confirm: true,
      off_session: true,
      allowed_payment_method_types: ['card'],
    });
    const res = await api.request('GET', `/api/payments/${id}`);

    const rows = rowsOf(res.body);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.find((r) => r.id === outside.id)?.amount, 3333);
  });

  it('filters by ?status=', async () => {
    const id = await customer('tok_chargeCustomerFail');
    await api.request('POST', '/api/payments', { json: { stripeCustomerID: id, amount: 800 } });

    const failed = await api.request('GET', `/api/payments/${id}?status=requires_payment_method`);
    const succeeded = await api.request('GET', `/api/payments/${id}?status=succeeded`);

    assert.equal(rowsOf(failed.body).length, 1);
    assert.deepEqual(succeeded.body, { payments: [] });
  });

  it('answers 404 customer_not_found for an unknown or deleted customer', async () => {
    const id = await customer();
    await api.stripe.customers.del(id);

    for (const target of [id, 'cus_doesNotExist']) {
      const res = await api.request('GET', `/api/payments/${target}`);
      assert.equal(res.status, 404, target);
      assert.equal(str(res.body, 'code'), 'customer_not_found');
    }
  });

  it('accepts a JSON body naming the same customer, and refuses one naming another', async () => {
    const id = await customer();

    const same = await api.request('GET', `/api/payments/${id}`, {
      json: { stripeCustomerID: id },
    });
    const other = await api.request('GET', `/api/payments/${id}`, {
      json: { stripeCustomerID: 'cus_someoneElse' },
    });

    assert.equal(same.status, 200);
    assert.equal(other.status, 400);
    assert.equal(str(other.body, 'code'), 'invalid_request');
    assert.equal(str(other.body, 'param'), 'stripeCustomerID');
  });

  it('serves a synced history flagged stale while Stripe is down, and 503 for one never synced', async () => {
    const synced = await customer();
    const paid = await charge(synced, 1200);
    await api.request('GET', `/api/payments/${synced}`);
    const never = await customer();

    await configureSandbox(api.sandbox, { faults: { rate: 1, kinds: ['http_503'] } });
    const stale = await api.request('GET', `/api/payments/${synced}`);
    const unavailable = await api.request('GET', `/api/payments/${never}`);
    await configureSandbox(api.sandbox, { faults: { rate: 0 } });
    const fresh = await api.request('GET', `/api/payments/${synced}`);

    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('payments-stale'), 'true');
    assert.ok(!Number.isNaN(Date.parse(stale.headers.get('payments-synced-at') ?? '')));
    assert.deepEqual(
      rowsOf(stale.body).map((r) => r.id),
      [paid],
    );
    assert.equal(unavailable.status, 503);
    assert.equal(str(unavailable.body, 'code'), 'stripe_unavailable');
    assert.ok(Number(unavailable.headers.get('retry-after')) > 0);
    assert.equal(fresh.headers.get('payments-stale'), null);
  });
});
