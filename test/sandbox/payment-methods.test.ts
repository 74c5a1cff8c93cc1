import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { errorOf, expectRejection, prop, rawRequest, useTestSandbox } from '../support/sandbox.ts';

const NEXT_YEAR = new Date().getUTCFullYear() + 1;

/** `/v1/payment_methods`: create, retrieve (magic ids), update, attach, detach, list. */
describe('sandbox payment methods', () => {
  const t = useTestSandbox();

  describe('POST /v1/payment_methods', () => {
    it('creates an unattached card PaymentMethod from a token', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
        billing_details: { name: 'Jenny Rosen', address: { country: 'US' } },
        metadata: { order: '7' },
      });

      assert.match(pm.id, /^pm_/);
      assert.equal(pm.object, 'payment_method');
      assert.equal(pm.type, 'card');
      assert.equal(pm.customer, null);
      assert.equal(pm.card?.brand, 'visa');
      assert.equal(pm.card?.last4, '4242');
      assert.equal(pm.billing_details.name, 'Jenny Rosen');
      assert.equal(pm.billing_details.address?.country, 'US');
      assert.equal(pm.billing_details.address?.city, null);
      assert.deepEqual(pm.metadata, { order: '7' });
    });

    it('creates one from card details, with the fingerprint of the same card tokenized', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { number: '5555555555554444', exp_month: 3, exp_year: NEXT_YEAR, cvc: '123' },
      });
      const token = await t.stripe.tokens.create({
        card: { number: '5555555555554444', exp_month: '3', exp_year: String(NEXT_YEAR) },
      });

      assert.equal(pm.card?.brand, 'mastercard');
      assert.equal(pm.card?.exp_month, 3);
      assert.equal(pm.card?.exp_year, NEXT_YEAR);
      assert.equal(pm.card?.fingerprint, token.card?.fingerprint);
    });

    it('answers 402 incorrect_number for card details failing the Luhn check', async () => {
      const error = await expectRejection(
        t.stripe.paymentMethods.create({
          type: 'card',
          card: { number: '4242424242424241', exp_month: 3, exp_year: NEXT_YEAR },
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'incorrect_number');
      assert.equal(error.param, 'card[number]');
    });

    it('creates a PaymentMethod for a decline-table card: only attaching it fails', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_chargeDeclined' },
      });
      assert.equal(pm.card?.last4, '0002');
    });

    it('refuses a type other than card and a missing card', async () => {
      const sepa = await rawRequest(t.sandbox, 'POST', '/v1/payment_methods', {
        body: 'type=sepa_debit',
      });
      assert.equal(sepa.status, 400);
      assert.equal(errorOf(sepa.body).param, 'type');

      const missing = await rawRequest(t.sandbox, 'POST', '/v1/payment_methods', {
        body: 'type=card',
      });
      assert.equal(missing.status, 400);
      assert.equal(errorOf(missing.body).code, 'parameter_missing');
    });
  });

  describe('GET /v1/payment_methods/:id', () => {
    it('mints a new PaymentMethod for each retrieve of a magic id', async () => {
      const first = await t.stripe.paymentMethods.retrieve('pm_card_amex');
      const second = await t.stripe.paymentMethods.retrieve('pm_card_amex');

      assert.match(first.id, /^pm_/);
      assert.notEqual(first.id, second.id);
      assert.equal(first.card?.brand, 'amex');
      assert.equal((await t.stripe.paymentMethods.retrieve(first.id)).id, first.id);
    });

    it('answers 404 for an unknown id', async () => {
      const error = await expectRejection(
        t.stripe.paymentMethods.retrieve('pm_unknown'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), "No such PaymentMethod: 'pm_unknown'");
    });
  });

  describe('POST /v1/payment_methods/:id', () => {
    it('updates metadata, billing details and expiry', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });

      const updated = await t.stripe.paymentMethods.update(pm.id, {
        metadata: { a: '1' },
        billing_details: { email: 'bill@example.com' },
        card: { exp_month: 7, exp_year: NEXT_YEAR + 2 },
      });

      assert.deepEqual(updated.metadata, { a: '1' });
      assert.equal(updated.billing_details.email, 'bill@example.com');
      assert.equal(updated.card?.exp_month, 7);
      assert.equal(updated.card?.exp_year, NEXT_YEAR + 2);
    });
  });

  describe('attach and detach', () => {
    it('attaches to a customer, lists it by customer, then detaches it', async () => {
      const customer = await t.stripe.customers.create({ email: 'a@example.com' });
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });

      const attached = await t.stripe.paymentMethods.attach(pm.id, { customer: customer.id });
      assert.equal(attached.customer, customer.id);
      const listed = await t.stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
      assert.deepEqual(
        listed.data.map((item) => item.id),
        [pm.id],
      );
      assert.equal(listed.url, `/v1/customers/${customer.id}/payment_methods`);
      const byParam = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
      assert.deepEqual(
        byParam.data.map((item) => item.id),
        [pm.id],
      );

      const detached = await t.stripe.paymentMethods.detach(pm.id);
      assert.equal(detached.customer, null);
      assert.equal((await t.stripe.customers.listPaymentMethods(customer.id)).data.length, 0);
    });

    it('attaches a magic id as a new PaymentMethod', async () => {
      const customer = await t.stripe.customers.create({});
      const pm = await t.stripe.paymentMethods.attach('pm_card_mastercard', {
        customer: customer.id,
      });
      assert.match(pm.id, /^pm_/);
      assert.notEqual(pm.id, 'pm_card_mastercard');
      assert.equal(pm.customer, customer.id);
    });

    it('refuses to attach a decline-table card with 402 and leaves it unattached', async () => {
      const customer = await t.stripe.customers.create({});
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa_chargeDeclinedInsufficientFunds' },
      });

      const error = await expectRejection(
        t.stripe.paymentMethods.attach(pm.id, { customer: customer.id }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.decline_code, 'insufficient_funds');
      assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, null);
    });

    it('refuses to attach a PaymentMethod already attached to another customer', async () => {
      const first = await t.stripe.customers.create({});
      const second = await t.stripe.customers.create({});
      const pm = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: first.id });

      const error = await expectRejection(
        t.stripe.paymentMethods.attach(pm.id, { customer: second.id }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
    });

    it('refuses to attach to an unknown customer with 400 naming customer', async () => {
      const error = await expectRejection(
        t.stripe.paymentMethods.attach('pm_card_visa', { customer: 'cus_unknown' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'customer');
    });

    it('clears the invoice default when that PaymentMethod is detached', async () => {
      const customer = await t.stripe.customers.create({
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: 'pm_card_visa' },
      });
      const pmId = String(customer.invoice_settings.default_payment_method);

      await t.stripe.paymentMethods.detach(pmId);

      const after = await t.stripe.customers.retrieve(customer.id);
      assert.equal(after.deleted, undefined);
      if (!after.deleted) assert.equal(after.invoice_settings.default_payment_method, null);
    });

    it('refuses to detach a PaymentMethod that is not attached', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });
      const error = await expectRejection(
        t.stripe.paymentMethods.detach(pm.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
    });
  });

  describe('GET /v1/payment_methods', () => {
    it('lists a customer PaymentMethods newest first and nothing for another type', async () => {
      const customer = await t.stripe.customers.create({});
      const older = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      const newer = await t.stripe.paymentMethods.attach('pm_card_amex', { customer: customer.id });

      const cards = await t.stripe.paymentMethods.list({ customer: customer.id });
      assert.deepEqual(
        cards.data.map((pm) => pm.id),
        [newer.id, older.id],
      );
      assert.equal(cards.url, '/v1/payment_methods');
      const other = await t.stripe.paymentMethods.list({
        customer: customer.id,
        type: 'sepa_debit',
      });
      assert.equal(other.data.length, 0);
    });

    it('refuses an unknown customer with 400 resource_missing', async () => {
      const error = await expectRejection(
        t.stripe.paymentMethods.list({ customer: 'cus_unknown' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'customer');
    });
  });
});
