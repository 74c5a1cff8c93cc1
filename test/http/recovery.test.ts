import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StripePort } from '../../src/payments/stripe-port.ts';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';

/** Where the simulated crash strikes on the next charge. */
type CrashPoint = 'none' | 'before_stripe' | 'after_stripe';

/** The real gateway, except that the next PaymentIntent creation can crash around the call. */
function crashingGateway(control: { next: CrashPoint }) {
  return (gateway: StripePort): StripePort => ({
    createPaymentMethod: (token, key) => gateway.createPaymentMethod(token, key),
    createCustomer: (input) => gateway.createCustomer(input),
    findCustomerByEmail: (email) => gateway.findCustomerByEmail(email),
    retrieveCustomer: (id) => gateway.retrieveCustomer(id),
    listPaymentIntents: (id, since) => gateway.listPaymentIntents(id, since),
    findPaymentIntentByChargeKey: (id, key, since) =>
      gateway.findPaymentIntentByChargeKey(id, key, since),
    async createPaymentIntent(input) {
      const point = control.next;
      control.next = 'none';
      if (point === 'before_stripe') throw new Error('simulated crash before calling Stripe');
      const outcome = await gateway.createPaymentIntent(input);
      if (point === 'after_stripe') throw new Error('simulated crash after Stripe answered');
      return outcome;
    },
  });
}

describe(`recovery from a crash during a charge (ledger: ${LEDGER_KIND})`, () => {
  const control: { next: CrashPoint } = { next: 'none' };
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({ wrapGateway: crashingGateway(control) });
  });
  after(() => api.close());

  async function customer(): Promise<string> {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
    });
    return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
  }

  const pendingOf = async (customerId: string) => {
    const farFuture = new Date(Date.now() + 365 * 24 * 3_600_000);
    const pending = await api.ledger.listPendingAttempts(farFuture, 1000);
    return pending.filter((attempt) => attempt.customerId === customerId);
  };

  it('records, through the sweeper, a payment Stripe made before the process crashed', async () => {
    const id = await customer();
    control.next = 'after_stripe';

    const res = await api.request('POST', '/api/payments', {
      json: { stripeCustomerID: id, amount: 4321 },
    });

    assert.equal(res.status, 500);
    assert.equal(str(res.body, 'code'), 'internal_error');
    const [made] = (await api.stripe.paymentIntents.list({ customer: id })).data;
    assert.ok(made, 'Stripe has the PaymentIntent');
    assert.equal((await pendingOf(id)).length, 1);
    assert.deepEqual(await api.ledger.listPayments(id), []);

    const early = await api.payments.sweep();
    assert.equal((await pendingOf(id)).length, 1, 'too young to sweep: its request may still run');
    assert.equal(early.recorded, 0);

    api.clock.advance(api.deps.settings.leaseMs + 1000);
    await api.payments.sweep();

    assert.deepEqual(await pendingOf(id), []);
    const recorded = await api.ledger.listPayments(id);
    assert.deepEqual(
      recorded.map((p) => [p.id, p.amount, p.status]),
      [[made.id, 4321, 'succeeded']],
    );
  });

  it('answers a retry with the same key with the PaymentIntent made before the crash', async () => {
    const id = await customer();
    const headers = { 'idempotency-key': `crash-${id}` };
    const json = { stripeCustomerID: id, amount: 999 };
    control.next = 'after_stripe';

    const crashed = await api.request('POST', '/api/payments', { json, headers });
    const retried = await api.request('POST', '/api/payments', { json, headers });

    assert.equal(crashed.status, 500);
    assert.equal(retried.status, 201, retried.text);
    const inStripe = (await api.stripe.paymentIntents.list({ customer: id })).data;
    assert.equal(inStripe.length, 1);
    assert.equal(str(retried.body, 'paymentIntentID'), inStripe[0]?.id);
  });

  it('marks an attempt that never reached Stripe failed once the grace period is over', async () => {
    const id = await customer();
    control.next = 'before_stripe';

    const res = await api.request('POST', '/api/payments', {
      json: { stripeCustomerID: id, amount: 1111 },
    });
    assert.equal(res.status, 500);

    api.clock.advance(api.deps.settings.leaseMs + 1000);
    await api.payments.sweep();
    assert.equal((await pendingOf(id)).length, 1, 'within the grace period it stays pending');

    api.clock.advance(api.deps.settings.attemptGraceMs);
    await api.payments.sweep();
    assert.deepEqual(await pendingOf(id), []);
    assert.deepEqual(await api.ledger.listPayments(id), []);
    assert.equal((await api.stripe.paymentIntents.list({ customer: id })).data.length, 0);
  });
});
