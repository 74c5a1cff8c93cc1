import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { errorOf, expectRejection, prop, rawRequest, useTestSandbox } from '../support/sandbox.ts';

/** `/v1/charges`: charges made by confirmations, and legacy charges of cards and tokens. */
describe('sandbox charges', () => {
  const t = useTestSandbox();

  async function confirmedIntent(captureMethod: 'automatic' | 'automatic_async') {
    const customer = await t.stripe.customers.create({ payment_method: 'pm_card_visa' });
    const [pm] = (await t.stripe.paymentMethods.list({ customer: customer.id })).data;
    assert.ok(pm);
    const pi = await t.stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      payment_method: pm.id,
      confirm: true,
      off_session: true,
      capture_method: captureMethod,
    });
    return { customer: customer.id, pm: pm.id, pi };
  }

  describe('charges of PaymentIntents', () => {
    it('records the charge of a confirmation with its PaymentIntent, customer and card', async () => {
      const { customer, pm, pi } = await confirmedIntent('automatic');

      const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));

      assert.match(charge.id, /^ch_/);
      assert.equal(charge.object, 'charge');
      assert.equal(charge.amount, 2500);
      assert.equal(charge.amount_captured, 2500);
      assert.equal(charge.currency, 'usd');
      assert.equal(charge.customer, customer);
      assert.equal(charge.payment_intent, pi.id);
      assert.equal(charge.payment_method, pm);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.paid, true);
      assert.equal(charge.captured, true);
      assert.match(String(charge.balance_transaction), /^txn_/);
      assert.equal(charge.payment_method_details?.card?.last4, '4242');
      assert.equal(charge.outcome?.type, 'authorized');
    });

    it('leaves the balance transaction to come with automatic_async capture', async () => {
      const { pi } = await confirmedIntent('automatic_async');
      const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
      assert.equal(charge.captured, true);
      assert.equal(charge.balance_transaction, null);
    });

    it('lists charges by PaymentIntent and by customer', async () => {
      const first = await confirmedIntent('automatic');
      const second = await confirmedIntent('automatic');

      const byIntent = await t.stripe.charges.list({ payment_intent: first.pi.id });
      assert.deepEqual(
        byIntent.data.map((charge) => charge.id),
        [first.pi.latest_charge],
      );
      const byCustomer = await t.stripe.charges.list({ customer: second.customer });
      assert.deepEqual(
        byCustomer.data.map((charge) => charge.id),
        [second.pi.latest_charge],
      );
      const all = await t.stripe.charges.list();
      assert.deepEqual(
        all.data.map((charge) => charge.id),
        [second.pi.latest_charge, first.pi.latest_charge],
      );
      assert.equal(all.url, '/v1/charges');
    });

    it('expands the customer and the PaymentIntent of a charge', async () => {
      const { customer, pi } = await confirmedIntent('automatic');
      const charge = await t.stripe.charges.retrieve(String(pi.latest_charge), {
        expand: ['customer', 'payment_intent'],
      });
      assert.equal(prop(charge.customer, 'id'), customer);
      assert.equal(prop(charge.payment_intent, 'status'), 'succeeded');
    });

    it('answers 404 for an unknown charge', async () => {
      const error = await expectRejection(
        t.stripe.charges.retrieve('ch_unknown'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), "No such charge: 'ch_unknown'");
    });
  });

  describe('POST /v1/charges', () => {
    it("charges a customer's default card", async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });

      const charge = await t.stripe.charges.create({
        amount: 1200,
        currency: 'usd',
        customer: customer.id,
        description: 'legacy',
        metadata: { n: '1' },
      });

      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.customer, customer.id);
      assert.equal(charge.payment_intent, null);
      assert.equal(charge.payment_method, customer.default_source);
      assert.equal(charge.source?.id, customer.default_source);
      assert.equal(charge.description, 'legacy');
      assert.deepEqual(charge.metadata, { n: '1' });
    });

    it('charges a named card of the customer', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const amex = await t.stripe.customers.createSource(customer.id, { source: 'tok_amex' });

      const charge = await t.stripe.charges.create({
        amount: 1200,
        currency: 'usd',
        customer: customer.id,
        source: amex.id,
      });
      assert.equal(charge.payment_method, amex.id);
      assert.equal(charge.payment_method_details?.card?.brand, 'amex');
    });

    it('charges a token without a customer', async () => {
      const charge = await t.stripe.charges.create({
        amount: 999,
        currency: 'usd',
        source: 'tok_mastercard',
      });
      assert.equal(charge.customer, null);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.payment_method_details?.card?.brand, 'mastercard');
    });

    it('authorizes only with capture=false', async () => {
      const charge = await t.stripe.charges.create({
        amount: 999,
        currency: 'usd',
        source: 'tok_visa',
        capture: false,
      });
      assert.equal(charge.captured, false);
      assert.equal(charge.amount_captured, 0);
      assert.equal(charge.paid, true);
    });

    it('answers 402 with the failed charge for a chargeCustomerFail card', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_chargeCustomerFail' });

      const error = await expectRejection(
        t.stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'generic_decline');
      const charge = await t.stripe.charges.retrieve(String(error.charge));
      assert.equal(charge.status, 'failed');
      assert.equal(charge.paid, false);
      assert.equal(charge.outcome?.type, 'issuer_declined');
    });

    it('declines a card that needs authentication: the Charges API cannot authenticate', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_threeDSecure2Required' });
      const error = await expectRejection(
        t.stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'authentication_required');
    });

    it('answers 402 missing for a customer without a card', async () => {
      const customer = await t.stripe.customers.create({});
      const error = await expectRejection(
        t.stripe.charges.create({ amount: 1000, currency: 'usd', customer: customer.id }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'missing');
    });

    it('refuses a charge with neither customer nor source', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/charges', {
        body: 'amount=1000&currency=usd',
      });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.body).code, 'parameter_missing');
    });

    it('refuses an unknown customer and a card of another customer', async () => {
      const unknown = await expectRejection(
        t.stripe.charges.create({ amount: 1000, currency: 'usd', customer: 'cus_unknown' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(unknown.param, 'customer');

      const owner = await t.stripe.customers.create({ source: 'tok_visa' });
      const other = await t.stripe.customers.create({ source: 'tok_visa' });
      const foreign = await expectRejection(
        t.stripe.charges.create({
          amount: 1000,
          currency: 'usd',
          customer: other.id,
          source: String(owner.default_source),
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(foreign.param, 'source');
    });

    it('applies the amount rules of PaymentIntents', async () => {
      const error = await expectRejection(
        t.stripe.charges.create({ amount: 10, currency: 'usd', source: 'tok_visa' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'amount_too_small');
      assert.equal((await t.stripe.charges.list()).data.length, 0);
    });
  });
});
