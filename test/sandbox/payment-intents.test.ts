import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { errorOf, expectRejection, prop, rawRequest, useTestSandbox } from '../support/sandbox.ts';

/** `/v1/payment_intents`: create, retrieve, confirm, cancel, list, and the status machine. */
describe('sandbox payment intents', () => {
  const t = useTestSandbox();

  /** A customer with `magic` attached; returns the customer and the minted PaymentMethod id. */
  async function customerWith(magic: string): Promise<{ customer: string; pm: string }> {
    const customer = await t.stripe.customers.create({
      payment_method: magic,
      invoice_settings: { default_payment_method: magic },
    });
    return { customer: customer.id, pm: String(customer.invoice_settings.default_payment_method) };
  }

  /** The parameters the payments API sends for an off-session charge. */
  function offSession(customer: string, pm: string): Stripe.PaymentIntentCreateParams {
    return {
      amount: 1099,
      currency: 'usd',
      customer,
      payment_method: pm,
      confirm: true,
      off_session: true,
      capture_method: 'automatic',
      allowed_payment_method_types: ['card'],
    };
  }

  describe('POST /v1/payment_intents', () => {
    it('creates an unconfirmed PaymentIntent with Stripe defaults', async () => {
      const pi = await t.stripe.paymentIntents.create({ amount: 2000, currency: 'USD' });

      assert.match(pi.id, /^pi_/);
      assert.equal(pi.object, 'payment_intent');
      assert.equal(pi.status, 'requires_payment_method');
      assert.equal(pi.amount, 2000);
      assert.equal(pi.currency, 'usd');
      assert.equal(pi.capture_method, 'automatic_async');
      assert.deepEqual(pi.automatic_payment_methods, { allow_redirects: 'always', enabled: true });
      assert.deepEqual(pi.payment_method_types, ['card']);
      assert.match(String(pi.client_secret), new RegExp(`^${pi.id}_secret_`));
      assert.equal(pi.latest_charge, null);
      assert.equal(pi.last_payment_error, null);
    });

    it('is requires_confirmation when created with a payment method', async () => {
      const pi = await t.stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        allowed_payment_method_types: ['card'],
      });
      assert.equal(pi.status, 'requires_confirmation');
      assert.match(String(pi.payment_method), /^pm_/);
      assert.deepEqual(pi.allowed_payment_method_types, ['card']);
      assert.equal(pi.automatic_payment_methods, null);
    });

    it('charges at once with confirm and off_session', async () => {
      const { customer, pm } = await customerWith('pm_card_visa');

      const pi = await t.stripe.paymentIntents.create({
        ...offSession(customer, pm),
        metadata: { attempt: 'a1' },
        description: 'order 1',
        expand: ['latest_charge'],
      });

      assert.equal(pi.status, 'succeeded');
      assert.equal(pi.amount_received, 1099);
      assert.equal(pi.payment_method, pm);
      assert.equal(pi.customer, customer);
      assert.deepEqual(pi.metadata, { attempt: 'a1' });
      assert.equal(prop(pi.latest_charge, 'status'), 'succeeded');
      assert.equal(prop(pi.latest_charge, 'payment_intent'), pi.id);
    });

    const invalid = [
      { title: 'an amount under 50 cents', amount: '49', code: 'amount_too_small' },
      { title: 'an amount over 8 digits', amount: '100000000', code: 'amount_too_large' },
      { title: 'a fractional amount', amount: '10.5', code: 'parameter_invalid_integer' },
      { title: 'a zero amount', amount: '0', code: undefined },
    ];
    for (const { title, amount, code } of invalid) {
      it(`refuses ${title} with 400 and creates nothing`, async () => {
        const res = await rawRequest(t.sandbox, 'POST', '/v1/payment_intents', {
          body: `amount=${amount}&currency=usd`,
        });
        assert.equal(res.status, 400);
        assert.equal(errorOf(res.body).param, 'amount');
        assert.equal(errorOf(res.body).code, code);
        assert.equal((await t.stripe.paymentIntents.list()).data.length, 0);
      });
    }

    it('refuses an unknown currency', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'currency');
    });

    it('refuses payment_method_types on this API version', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/payment_intents', {
        body: 'amount=1000&currency=usd&payment_method_types[0]=card',
      });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.body).code, 'payment_method_types_no_longer_supported');
      assert.equal(errorOf(res.body).param, 'payment_method_types');
    });

    it('accepts payment_method_types from a client pinned to an older API version', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/payment_intents', {
        body: 'amount=1000&currency=usd&payment_method_types[0]=card',
        headers: { 'Stripe-Version': '2024-06-20' },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(prop(res.body, 'payment_method_types'), ['card']);
      assert.equal(res.headers.get('stripe-version'), '2024-06-20');
    });

    it('refuses off_session without confirm', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', off_session: true }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'off_session');
    });

    it('refuses an unknown customer with 400 naming customer', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: 'cus_unknown' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'customer');
    });

    it('refuses a PaymentMethod attached to another customer', async () => {
      const { pm } = await customerWith('pm_card_visa');
      const other = await t.stripe.customers.create({});
      const error = await expectRejection(
        t.stripe.paymentIntents.create(offSession(other.id, pm)),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'payment_method');
    });

    it('refuses confirmation without any payment method and creates nothing', async () => {
      const customer = await t.stripe.customers.create({});
      const error = await expectRejection(
        t.stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          customer: customer.id,
          confirm: true,
        }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.equal((await t.stripe.paymentIntents.list()).data.length, 0);
    });

    it('falls back to the customer default_source (a legacy card) when confirming', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const pi = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        confirm: true,
        off_session: true,
      });
      assert.equal(pi.status, 'succeeded');
      assert.equal(pi.payment_method, customer.default_source);
    });

    it('attaches the PaymentMethod to the customer with setup_future_usage', async () => {
      const customer = await t.stripe.customers.create({});
      const pi = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        setup_future_usage: 'off_session',
        confirm: true,
      });
      const pm = await t.stripe.paymentMethods.retrieve(String(pi.payment_method));
      assert.equal(pm.customer, customer.id);
    });
  });

  describe('declines', () => {
    it('answers 402 with the PaymentIntent left in requires_payment_method', async () => {
      const { customer, pm } = await customerWith('pm_card_chargeCustomerFail');

      const error = await expectRejection(
        t.stripe.paymentIntents.create(offSession(customer, pm)),
        Stripe.errors.StripeCardError,
      );

      assert.equal(error.statusCode, 402);
      assert.equal(error.type, 'StripeCardError');
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'generic_decline');
      assert.equal(error.payment_method?.id, pm);
      const pi = error.payment_intent;
      assert.ok(pi);
      assert.equal(pi.status, 'requires_payment_method');
      assert.equal(pi.payment_method, null);
      assert.equal(pi.latest_charge, error.charge);
      assert.equal(pi.last_payment_error?.code, 'card_declined');
      assert.equal(pi.last_payment_error?.decline_code, 'generic_decline');
      assert.equal(pi.last_payment_error?.payment_method?.id, pm);

      const stored = await t.stripe.paymentIntents.retrieve(pi.id);
      assert.equal(stored.status, 'requires_payment_method');
      const charge = await t.stripe.charges.retrieve(String(error.charge));
      assert.equal(charge.status, 'failed');
      assert.equal(charge.failure_code, 'card_declined');
      const listed = await t.stripe.paymentIntents.list({ customer });
      assert.deepEqual(
        listed.data.map((item) => item.id),
        [pi.id],
      );
    });

    it('lets a declined PaymentIntent be confirmed again with another card', async () => {
      const { customer, pm } = await customerWith('pm_card_chargeCustomerFail');
      const declined = await expectRejection(
        t.stripe.paymentIntents.create(offSession(customer, pm)),
        Stripe.errors.StripeCardError,
      );
      const good = await t.stripe.paymentMethods.attach('pm_card_visa', { customer });

      const pi = await t.stripe.paymentIntents.confirm(String(declined.payment_intent?.id), {
        payment_method: good.id,
        off_session: true,
      });
      assert.equal(pi.status, 'succeeded');
      assert.equal(pi.last_payment_error, null);
      assert.notEqual(pi.latest_charge, declined.charge);
    });
  });

  describe('3-D Secure', () => {
    it('fails off session with 402 authentication_required', async () => {
      const { customer, pm } = await customerWith('pm_card_threeDSecure2Required');

      const error = await expectRejection(
        t.stripe.paymentIntents.create(offSession(customer, pm)),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'authentication_required');
      assert.equal(error.decline_code, 'authentication_required');
      assert.equal(error.payment_intent?.status, 'requires_payment_method');
      assert.match(String(error.payment_intent?.client_secret), /_secret_/);
    });

    it('stops at requires_action on session, then can be canceled', async () => {
      const { customer, pm } = await customerWith('pm_card_threeDSecure2Required');

      const pi = await t.stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        customer,
        payment_method: pm,
        confirm: true,
      });
      assert.equal(pi.status, 'requires_action');
      assert.equal(pi.next_action?.type, 'use_stripe_sdk');
      assert.equal(pi.latest_charge, null);

      const canceled = await t.stripe.paymentIntents.cancel(pi.id, {
        cancellation_reason: 'abandoned',
      });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.cancellation_reason, 'abandoned');
      assert.equal(typeof canceled.canceled_at, 'number');
      assert.equal(canceled.next_action, null);
    });

    it('redirects to return_url when one is given', async () => {
      const pi = await t.stripe.paymentIntents.create({
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_authenticationRequired',
        confirm: true,
        return_url: 'https://shop.example/return',
      });
      assert.equal(pi.next_action?.type, 'redirect_to_url');
      assert.equal(pi.next_action?.redirect_to_url?.return_url, 'https://shop.example/return');
    });

    it('fails with 402 when error_on_requires_action is set', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.create({
          amount: 1500,
          currency: 'usd',
          payment_method: 'pm_card_threeDSecure2Required',
          confirm: true,
          error_on_requires_action: true,
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'payment_intent_action_required');
      assert.equal(error.payment_intent?.status, 'requires_payment_method');
    });
  });

  describe('POST /v1/payment_intents/:id/confirm', () => {
    it('confirms a PaymentIntent created with a payment method', async () => {
      const created = await t.stripe.paymentIntents.create({
        amount: 3000,
        currency: 'eur',
        payment_method: 'pm_card_mastercard',
      });
      const pi = await t.stripe.paymentIntents.confirm(created.id);
      assert.equal(pi.status, 'succeeded');
      assert.match(String(pi.latest_charge), /^ch_/);
    });

    it('refuses to confirm a succeeded PaymentIntent', async () => {
      const created = await t.stripe.paymentIntents.create({
        amount: 3000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await expectRejection(
        t.stripe.paymentIntents.confirm(created.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.equal(error.payment_intent?.status, 'succeeded');
    });

    it('refuses to confirm without a payment method', async () => {
      const created = await t.stripe.paymentIntents.create({ amount: 3000, currency: 'usd' });
      const error = await expectRejection(
        t.stripe.paymentIntents.confirm(created.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');
      assert.match(String(prop(error.raw, 'message')), /missing a payment method/);
    });

    it('holds the funds with manual capture, and cancel releases them', async () => {
      const pi = await t.stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        capture_method: 'manual',
        confirm: true,
      });
      assert.equal(pi.status, 'requires_capture');
      assert.equal(pi.amount_capturable, 5000);
      assert.equal(pi.amount_received, 0);

      const canceled = await t.stripe.paymentIntents.cancel(pi.id);
      assert.equal(canceled.status, 'canceled');
      const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
      assert.equal(charge.captured, false);
      assert.equal(charge.refunded, true);
    });
  });

  describe('POST /v1/payment_intents/:id/cancel', () => {
    it('refuses to cancel a succeeded or canceled PaymentIntent', async () => {
      const done = await t.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      const error = await expectRejection(
        t.stripe.paymentIntents.cancel(done.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'payment_intent_unexpected_state');

      const open = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await t.stripe.paymentIntents.cancel(open.id);
      await expectRejection(
        t.stripe.paymentIntents.cancel(open.id),
        Stripe.errors.StripeInvalidRequestError,
      );
    });
  });

  describe('GET /v1/payment_intents/:id', () => {
    it('answers 404 for an unknown id', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.retrieve('pi_unknown'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), "No such payment_intent: 'pi_unknown'");
    });

    it('expands the customer and the payment method', async () => {
      const { customer, pm } = await customerWith('pm_card_visa');
      const created = await t.stripe.paymentIntents.create(offSession(customer, pm));

      const pi = await t.stripe.paymentIntents.retrieve(created.id, {
        expand: ['customer', 'payment_method', 'latest_charge.payment_intent'],
      });
      assert.equal(prop(pi.customer, 'id'), customer);
      assert.equal(prop(pi.payment_method, 'id'), pm);
      assert.equal(prop(prop(pi.latest_charge, 'payment_intent'), 'id'), created.id);
    });
  });

  describe('GET /v1/payment_intents', () => {
    it('lists by customer, newest first, with created bounds and cursors', async () => {
      const { customer, pm } = await customerWith('pm_card_visa');
      const other = await t.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await t.stripe.paymentIntents.create(offSession(customer, pm))).id);
      const newestFirst = [...ids].reverse();

      const all = await t.stripe.paymentIntents.list({ customer });
      assert.deepEqual(
        all.data.map((pi) => pi.id),
        newestFirst,
      );
      assert.equal(all.url, '/v1/payment_intents');
      assert.ok(!all.data.some((pi) => pi.id === other.id));

      const page = await t.stripe.paymentIntents.list({
        customer,
        limit: 1,
        starting_after: ids[2],
      });
      assert.deepEqual(
        page.data.map((pi) => pi.id),
        [ids[1]],
      );
      assert.equal(page.has_more, true);
      const back = await t.stripe.paymentIntents.list({ customer, ending_before: ids[0] });
      assert.deepEqual(
        back.data.map((pi) => pi.id),
        [ids[2], ids[1]],
      );

      const created = all.data[0]?.created ?? 0;
      const future = await t.stripe.paymentIntents.list({ customer, created: { gt: created } });
      assert.equal(future.data.length, 0);
      const since = await t.stripe.paymentIntents.list({ customer, created: { gte: created } });
      assert.equal(since.data.length, 3);
    });

    it('refuses a limit above 100', async () => {
      const error = await expectRejection(
        t.stripe.paymentIntents.list({ limit: 101 }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'limit');
    });
  });
});
