import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { REGISTRATION_METADATA, type StripePort } from '../../src/payments/stripe-port.ts';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';

/** The real gateway, except that the next customer creation can crash once Stripe answered. */
function crashingGateway(control: { crashAfterCreate: boolean }) {
  return (gateway: StripePort): StripePort => ({
    createPaymentMethod: (token, key) => gateway.createPaymentMethod(token, key),
    async createCustomer(input) {
      const crash = control.crashAfterCreate;
      control.crashAfterCreate = false;
      const customer = await gateway.createCustomer(input);
      if (crash) throw new Error('simulated crash after Stripe created the customer');
      return customer;
    },
    findCustomerByEmail: (email) => gateway.findCustomerByEmail(email),
    retrieveCustomer: (id) => gateway.retrieveCustomer(id),
    createPaymentIntent: (input) => gateway.createPaymentIntent(input),
    listPaymentIntents: (id, since) => gateway.listPaymentIntents(id, since),
    findPaymentIntentByChargeKey: (id, key, since) =>
      gateway.findPaymentIntentByChargeKey(id, key, since),
  });
}

describe(`recovery from a crash during a registration (ledger: ${LEDGER_KIND})`, () => {
  const control = { crashAfterCreate: false };
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({ wrapGateway: crashingGateway(control) });
  });
  after(() => api.close());

  const register = (email: string, headers: Record<string, string> = {}) =>
    api.request('POST', '/api/customer', {
      json: { email, stripeCreditCardToken: 'tok_visa' },
      headers,
    });

  const customersOf = async (email: string) =>
    (await api.stripe.customers.list({ email, limit: 100 })).data;

  it('answers 409 naming the customer made before the crash once the lease is over, making no second one', async () => {
    const email = uniqueEmail('crash');
    control.crashAfterCreate = true;

    const crashed = await register(email, { 'idempotency-key': `crash-${email}` });
    const meanwhile = await register(email);
    api.clock.advance(api.deps.settings.leaseMs + 1000);
    const later = await register(email);

    assert.equal(crashed.status, 500);
    assert.equal(str(crashed.body, 'code'), 'internal_error');
    assert.equal(meanwhile.status, 409, meanwhile.text);
    assert.equal(str(meanwhile.body, 'stripeCustomerID'), undefined);
    const [made, ...others] = await customersOf(email);
    assert.ok(made, 'Stripe has the customer');
    assert.deepEqual(others, []);
    assert.match(made.metadata[REGISTRATION_METADATA] ?? '', /^papi_/);
    assert.equal(later.status, 409, later.text);
    assert.equal(str(later.body, 'code'), 'customer_exists');
    assert.equal(str(later.body, 'stripeCustomerID'), made.id);
    assert.equal((await api.ledger.findCustomerByEmail(email))?.stripeCustomerId, made.id);
  });

  it('answers 201 with the customer made before the crash to a retry with the same key', async () => {
    const email = uniqueEmail('retry');
    const headers = { 'idempotency-key': `retry-${email}` };
    control.crashAfterCreate = true;

    const crashed = await register(email, headers);
    const retried = await register(email, headers);

    assert.equal(crashed.status, 500);
    assert.equal(retried.status, 201, retried.text);
    const made = await customersOf(email);
    assert.equal(made.length, 1);
    assert.equal(str(retried.body, 'stripeCustomerID'), made[0]?.id);
  });
});
