import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectRejection, prop, useTestSandbox } from '../support/sandbox.ts';

/** Legacy cards on customers: `/v1/customers/:id/sources`. */
describe('sandbox customer sources', () => {
  const t = useTestSandbox();

  async function defaultSource(customerId: string): Promise<unknown> {
    const customer = await t.stripe.customers.retrieve(customerId);
    return customer.deleted ? undefined : customer.default_source;
  }

  describe('POST /v1/customers/:id/sources', () => {
    it('makes the first card the default source and keeps it when a second is added', async () => {
      const customer = await t.stripe.customers.create({ email: 'cards@example.com' });

      const first = await t.stripe.customers.createSource(customer.id, {
        source: 'tok_visa',
        metadata: { n: '1' },
      });
      assert.equal(first.object, 'card');
      assert.equal(prop(first, 'customer'), customer.id);
      assert.deepEqual(prop(first, 'metadata'), { n: '1' });
      assert.equal(await defaultSource(customer.id), first.id);

      await t.stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
      assert.equal(await defaultSource(customer.id), first.id);
    });

    it('refuses a decline-table card with 402 and adds no card', async () => {
      const customer = await t.stripe.customers.create({});

      const error = await expectRejection(
        t.stripe.customers.createSource(customer.id, { source: 'tok_chargeDeclinedExpiredCard' }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'expired_card');
      assert.equal(error.param, 'exp_month');
      assert.equal((await t.stripe.customers.listSources(customer.id)).data.length, 0);
      assert.equal(await defaultSource(customer.id), null);
    });

    it('answers 404 for an unknown customer', async () => {
      const error = await expectRejection(
        t.stripe.customers.createSource('cus_unknown', { source: 'tok_visa' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), "No such customer: 'cus_unknown'");
    });
  });

  describe('GET /v1/customers/:id/sources', () => {
    it('lists cards newest first with the list url; other source types are empty', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const second = await t.stripe.customers.createSource(customer.id, { source: 'tok_amex' });

      const cards = await t.stripe.customers.listSources(customer.id, { object: 'card' });
      assert.deepEqual(
        cards.data.map((card) => card.id),
        [second.id, customer.default_source],
      );
      assert.equal(cards.url, `/v1/customers/${customer.id}/sources`);
      const banks = await t.stripe.customers.listSources(customer.id, { object: 'bank_account' });
      assert.equal(banks.data.length, 0);
    });
  });

  describe('GET and POST /v1/customers/:id/sources/:source', () => {
    it('retrieves and updates a card', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const cardId = String(customer.default_source);

      const card = await t.stripe.customers.retrieveSource(customer.id, cardId);
      assert.equal(prop(card, 'last4'), '4242');

      const updated = await t.stripe.customers.updateSource(customer.id, cardId, {
        name: 'Card Holder',
        exp_month: '4',
        metadata: { label: 'work' },
        address_zip: '94107',
      });
      assert.equal(prop(updated, 'name'), 'Card Holder');
      assert.equal(prop(updated, 'exp_month'), 4);
      assert.equal(prop(updated, 'address_zip'), '94107');
      assert.deepEqual(prop(updated, 'metadata'), { label: 'work' });
    });

    it('refuses an expiry month out of range with 402 invalid_expiry_month', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const error = await expectRejection(
        t.stripe.customers.updateSource(customer.id, String(customer.default_source), {
          exp_month: '13',
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.code, 'invalid_expiry_month');
    });

    it('answers 404 for a card of another customer', async () => {
      const owner = await t.stripe.customers.create({ source: 'tok_visa' });
      const other = await t.stripe.customers.create({});

      const error = await expectRejection(
        t.stripe.customers.retrieveSource(other.id, String(owner.default_source)),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), `No such source: '${owner.default_source}'`);
    });
  });

  describe('DELETE /v1/customers/:id/sources/:source', () => {
    it('promotes the most recently added remaining card when the default is deleted', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const firstDefault = String(customer.default_source);
      const second = await t.stripe.customers.createSource(customer.id, { source: 'tok_amex' });
      const third = await t.stripe.customers.createSource(customer.id, { source: 'tok_discover' });

      const deleted = await t.stripe.customers.deleteSource(customer.id, firstDefault);
      assert.deepEqual(
        { id: deleted.id, object: deleted.object, deleted: prop(deleted, 'deleted') },
        { id: firstDefault, object: 'card', deleted: true },
      );
      assert.equal(await defaultSource(customer.id), third.id);

      await t.stripe.customers.deleteSource(customer.id, third.id);
      assert.equal(await defaultSource(customer.id), second.id);
      await t.stripe.customers.deleteSource(customer.id, second.id);
      assert.equal(await defaultSource(customer.id), null);
    });

    it('keeps the default when another card is deleted', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const second = await t.stripe.customers.createSource(customer.id, { source: 'tok_amex' });

      await t.stripe.customers.deleteSource(customer.id, second.id);

      assert.equal(await defaultSource(customer.id), customer.default_source);
      await expectRejection(
        t.stripe.customers.retrieveSource(customer.id, second.id),
        Stripe.errors.StripeInvalidRequestError,
      );
    });
  });
});
