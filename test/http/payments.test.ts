import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHARGE_KEY_METADATA } from '../../src/payments/stripe-port.ts';
import {
  type ApiHarness,
  LEDGER_KIND,
  startApiHarness,
  str,
  uniqueEmail,
  waitFor,
} from '../support/api.ts';
import { configureSandbox } from '../support/sandbox.ts';

describe(`POST /api/payments (ledger: ${LEDGER_KIND})`, () => {
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

  const charge = (json: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', '/api/payments', { json, headers });

  it('answers 201 with a succeeded PaymentIntent confirmed off-session on the default card', async () => {
    const id = await customer();

    const res = await charge({ stripeCustomerID: id, amount: 2500 });

    assert.equal(res.status, 201, res.text);
    const piId = str(res.body, 'paymentIntentID') ?? '';
    assert.deepEqual(res.body, {
      paymentIntentID: piId,
      status: 'succeeded',
      amount: 2500,
      currency: 'usd',
    });
    const pi = await api.stripe.paymentIntents.retrieve(piId);
    const stripeCustomer = await api.stripe.customers.retrieve(id);
    assert.ok(!stripeCustomer.deleted);
    assert.equal(pi.customer, id);
    assert.equal(pi.capture_method, 'automatic');
    assert.equal(pi.payment_method, stripeCustomer.invoice_settings.default_payment_method);
    assert.ok(pi.metadata[CHARGE_KEY_METADATA]);
  });

  it('charges the legacy default_source when the customer has no default PaymentMethod', async () => {
    const made = await api.stripe.customers.create({ email: uniqueEmail(), source: 'tok_visa' });

    const res = await charge({ stripeCustomerID: made.id, amount: 700 });

    assert.equal(res.status, 201, res.text);
    assert.equal(str(res.body, 'status'), 'succeeded');
  });

  it('answers 402 with the decline code and the failed PaymentIntent, which the history lists', async () => {
    const id = await customer('tok_chargeCustomerFail');

    const res = await charge({ stripeCustomerID: id, amount: 1500 });

    assert.equal(res.status, 402, res.text);
    assert.equal(str(res.body, 'code'), 'card_declined');
    assert.equal(str(res.body, 'declineCode'), 'generic_decline');
    assert.equal(str(res.body, 'clientSecret'), undefined);
    const piId = str(res.body, 'paymentIntentID') ?? assert.fail(res.text);
    const history = await api.request('GET', `/api/payments/${id}`);
    assert.deepEqual(history.body, {
      payments: [
        {
          id: piId,
          amount: 1500,
          currency: 'usd',
          status: 'requires_payment_method',
          created: (await createdOf(piId)).toISOString(),
        },
      ],
    });
  });

  it('answers 402 authentication_required with the client secret to finish on-session', async () => {
    const id = await customer('tok_threeDSecure2Required');

    const res = await charge({ stripeCustomerID: id, amount: 1500 });

    assert.equal(res.status, 402, res.text);
    assert.equal(str(res.body, 'code'), 'authentication_required');
    const piId = str(res.body, 'paymentIntentID') ?? assert.fail(res.text);
    const pi = await api.stripe.paymentIntents.retrieve(piId);
    assert.equal(str(res.body, 'clientSecret'), pi.client_secret);
  });

  it('answers 404 customer_not_found for an unknown customer and for a deleted one', async () => {
    const id = await customer();
    await api.stripe.customers.del(id);

    for (const target of [id, 'cus_doesNotExist']) {
      const res = await charge({ stripeCustomerID: target, amount: 500 });

      assert.equal(res.status, 404, target);
      assert.equal(str(res.body, 'code'), 'customer_not_found');
    }
  });

  it('answers 409 customer_has_no_payment_method for a customer without a card', async () => {
    const made = await api.stripe.customers.create({ email: uniqueEmail() });

    const res = await charge({ stripeCustomerID: made.id, amount: 500 });

    assert.equal(res.status, 409);
    assert.equal(str(res.body, 'code'), 'customer_has_no_payment_method');
  });

  it('makes exactly one PaymentIntent from 20 identical concurrent requests with one key', async () => {
    const id = await customer();
    const body = { stripeCustomerID: id, amount: 4200 };
    const headers = { 'idempotency-key': `same-${id}` };
    // Latency keeps the first request busy while the others arrive.
    await configureSandbox(api.sandbox, { latency: { fixedMs: 100 } });

    const results = await Promise.all(Array.from({ length: 20 }, () => charge(body, headers)));
    await configureSandbox(api.sandbox, { latency: { fixedMs: 0 } });

    for (const res of results) {
      assert.ok(res.status === 201 || str(res.body, 'code') === 'idempotency_key_in_use', res.text);
    }
    const created = results.filter((r) => r.status === 201);
    assert.ok(created.length >= 1);
    assert.equal(new Set(created.map((r) => str(r.body, 'paymentIntentID'))).size, 1);
    const inStripe = await api.stripe.paymentIntents.list({ customer: id, limit: 100 });
    assert.equal(inStripe.data.length, 1);
    const replay = await charge(body, headers);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(str(replay.body, 'paymentIntentID'), inStripe.data[0]?.id);
  });

  it('answers 409 idempotency_key_in_use while the first request with the key is running', async () => {
    const id = await customer();
    const headers = { 'idempotency-key': `busy-${id}` };
    const retrieved = async () => (await api.stats()).byRoute['GET /v1/customers/:id'] ?? 0;
    const before = await retrieved();
    await configureSandbox(api.sandbox, { latency: { fixedMs: 1000 } });

    const first = charge({ stripeCustomerID: id, amount: 900 }, headers);
    // Once Stripe sees the first request's customer lookup, it holds the key.
    await waitFor(async () => (await retrieved()) > before);
    const second = await charge({ stripeCustomerID: id, amount: 900 }, headers);
    await configureSandbox(api.sandbox, { latency: { fixedMs: 0 } });

    assert.equal(second.status, 409, second.text);
    assert.equal(str(second.body, 'code'), 'idempotency_key_in_use');
    assert.equal((await first).status, 201);
  });

  it('answers 422 idempotency_key_reused when the key comes back with another amount', async () => {
    const id = await customer();
    await charge({ stripeCustomerID: id, amount: 900 }, { 'idempotency-key': `amt-${id}` });

    const res = await charge(
      { stripeCustomerID: id, amount: 901 },
      { 'idempotency-key': `amt-${id}` },
    );

    assert.equal(res.status, 422);
    assert.equal(str(res.body, 'code'), 'idempotency_key_reused');
  });

  it('replays a stored 402 without charging the card again', async () => {
    const id = await customer('tok_chargeCustomerFail');
    const headers = { 'idempotency-key': `decl-${id}` };
    const first = await charge({ stripeCustomerID: id, amount: 900 }, headers);

    const second = await charge({ stripeCustomerID: id, amount: 900 }, headers);

    assert.equal(second.status, 402);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(str(second.body, 'paymentIntentID'), str(first.body, 'paymentIntentID'));
    const inStripe = await api.stripe.paymentIntents.list({ customer: id });
    assert.equal(inStripe.data.length, 1);
  });

  it('makes a new payment for each request without a key', async () => {
    const id = await customer();

    const a = await charge({ stripeCustomerID: id, amount: 900 });
    const b = await charge({ stripeCustomerID: id, amount: 900 });

    assert.notEqual(str(a.body, 'paymentIntentID'), str(b.body, 'paymentIntentID'));
  });

  async function createdOf(piId: string): Promise<Date> {
    const pi = await api.stripe.paymentIntents.retrieve(piId);
    return new Date(pi.created * 1000);
  }
});
