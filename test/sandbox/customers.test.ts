import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { errorOf, expectRejection, prop, rawRequest, useTestSandbox } from '../support/sandbox.ts';

/** `/v1/customers` through the official SDK: create, retrieve, update, delete, list, expand. */
describe('sandbox customers', () => {
  const t = useTestSandbox();

  describe('POST /v1/customers', () => {
    it('creates a customer with the given fields and Stripe defaults', async () => {
      const customer = await t.stripe.customers.create({
        email: 'jenny@example.com',
        name: 'Jenny Rosen',
        description: 'first',
        phone: '+15555550100',
        metadata: { order: '42' },
      });

      assert.match(customer.id, /^cus_[A-Za-z0-9]+$/);
      assert.equal(customer.object, 'customer');
      assert.equal(customer.email, 'jenny@example.com');
      assert.equal(customer.name, 'Jenny Rosen');
      assert.equal(customer.description, 'first');
      assert.equal(customer.phone, '+15555550100');
      assert.deepEqual(customer.metadata, { order: '42' });
      assert.equal(customer.livemode, false);
      assert.equal(customer.default_source, null);
      assert.equal(customer.invoice_settings.default_payment_method, null);
      assert.equal(customer.sources, undefined);
      assert.equal(typeof customer.created, 'number');
    });

    it('keeps a caller-chosen id and refuses a second customer with it', async () => {
      // The SDK's types omit `id`, so this goes over raw HTTP.
      const first = await rawRequest(t.sandbox, 'POST', '/v1/customers', { body: 'id=cus_chosen' });
      assert.equal(first.status, 200);
      assert.equal((await t.stripe.customers.retrieve('cus_chosen')).id, 'cus_chosen');

      const second = await rawRequest(t.sandbox, 'POST', '/v1/customers', {
        body: 'id=cus_chosen',
      });
      assert.equal(second.status, 400);
      assert.equal(errorOf(second.body).code, 'resource_already_exists');
      assert.equal(errorOf(second.body).param, 'id');
    });

    it('refuses a malformed email with 400 email_invalid', async () => {
      const error = await expectRejection(
        t.stripe.customers.create({ email: 'not an email' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'email_invalid');
      assert.equal(error.param, 'email');
    });

    it('attaches a source token as a card that becomes default_source', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });

      assert.equal(typeof customer.default_source, 'string');
      assert.match(String(customer.default_source), /^card_/);
      assert.equal(customer.sources, undefined);
    });

    it('expands default_source and sources when asked', async () => {
      const customer = await t.stripe.customers.create({
        source: 'tok_mastercard',
        expand: ['default_source', 'sources'],
      });

      const card = customer.default_source;
      assert.equal(prop(card, 'object'), 'card');
      assert.equal(prop(card, 'brand'), 'MasterCard');
      assert.equal(prop(card, 'last4'), '4444');
      assert.equal(prop(card, 'customer'), customer.id);
      assert.equal(customer.sources?.object, 'list');
      assert.equal(customer.sources?.url, `/v1/customers/${customer.id}/sources`);
      assert.deepEqual(
        customer.sources?.data.map((source) => source.id),
        [prop(card, 'id')],
      );
    });

    it('attaches a magic PaymentMethod and makes the same one the invoice default', async () => {
      const customer = await t.stripe.customers.create({
        email: 'pm@example.com',
        payment_method: 'pm_card_visa',
        invoice_settings: { default_payment_method: 'pm_card_visa' },
      });

      const pmId = String(customer.invoice_settings.default_payment_method);
      assert.match(pmId, /^pm_/);
      assert.notEqual(pmId, 'pm_card_visa');
      const pm = await t.stripe.paymentMethods.retrieve(pmId);
      assert.equal(pm.customer, customer.id);
      assert.equal(pm.card?.brand, 'visa');
    });

    it('refuses an invoice default that is not attached to the customer', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });

      const error = await expectRejection(
        t.stripe.customers.create({ invoice_settings: { default_payment_method: pm.id } }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'invoice_settings[default_payment_method]');
      assert.equal((await t.stripe.customers.list()).data.length, 0);
    });

    it('creates no customer when the card is declined at attach time', async () => {
      const error = await expectRejection(
        t.stripe.customers.create({ email: 'd@example.com', source: 'tok_chargeDeclined' }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'generic_decline');
      assert.equal((await t.stripe.customers.list()).data.length, 0);
    });

    it('refuses an unknown parameter with 400 parameter_unknown', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/customers', { body: 'nickname=x' });
      assert.equal(res.status, 400);
      const error = errorOf(res.body);
      assert.equal(error.code, 'parameter_unknown');
      assert.equal(error.message, 'Received unknown parameter: nickname');
      assert.equal(error.param, 'nickname');
    });
  });

  describe('GET /v1/customers/:id', () => {
    it('returns the stored customer', async () => {
      const created = await t.stripe.customers.create({ email: 'r@example.com' });
      const customer = await t.stripe.customers.retrieve(created.id);
      // JSON drops the SDK's non-enumerable `lastResponse` from both sides.
      assert.deepEqual(JSON.parse(JSON.stringify(customer)), JSON.parse(JSON.stringify(created)));
    });

    it('answers 404 resource_missing for an unknown id', async () => {
      const error = await expectRejection(
        t.stripe.customers.retrieve('cus_unknown'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'id');
      assert.equal(prop(error.raw, 'message'), "No such customer: 'cus_unknown'");
    });
  });

  describe('POST /v1/customers/:id', () => {
    it('updates fields, merges metadata, and unsets a field sent empty', async () => {
      const created = await t.stripe.customers.create({
        email: 'old@example.com',
        description: 'to be removed',
        metadata: { keep: '1', drop: '2' },
      });

      const updated = await t.stripe.customers.update(created.id, {
        email: 'new@example.com',
        name: 'New Name',
        description: '',
        metadata: { drop: '', add: '3' },
      });

      assert.equal(updated.email, 'new@example.com');
      assert.equal(updated.name, 'New Name');
      assert.equal(updated.description, null);
      assert.deepEqual(updated.metadata, { keep: '1', add: '3' });
      const listed = await t.stripe.customers.list({ email: 'new@example.com' });
      assert.deepEqual(
        listed.data.map((c) => c.id),
        [created.id],
      );
    });

    it('switches default_source to another card of the customer', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const second = await t.stripe.customers.createSource(customer.id, { source: 'tok_amex' });

      const updated = await t.stripe.customers.update(customer.id, { default_source: second.id });
      assert.equal(updated.default_source, second.id);
    });

    it('refuses a default_source that is not a card of the customer', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const error = await expectRejection(
        t.stripe.customers.update(customer.id, { default_source: 'card_foreign' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'default_source');
    });

    it('replaces the default card when a new source is given, deleting the old one', async () => {
      const customer = await t.stripe.customers.create({ source: 'tok_visa' });
      const oldCard = String(customer.default_source);

      const updated = await t.stripe.customers.update(customer.id, { source: 'tok_mastercard' });

      assert.notEqual(updated.default_source, oldCard);
      const cards = await t.stripe.customers.listSources(customer.id);
      assert.deepEqual(
        cards.data.map((card) => card.id),
        [updated.default_source],
      );
    });

    it('sets and clears invoice_settings.default_payment_method', async () => {
      const customer = await t.stripe.customers.create({ payment_method: 'pm_card_visa' });
      const [pm] = (await t.stripe.customers.listPaymentMethods(customer.id)).data;
      assert.ok(pm);

      const set = await t.stripe.customers.update(customer.id, {
        invoice_settings: { default_payment_method: pm.id },
      });
      assert.equal(set.invoice_settings.default_payment_method, pm.id);
      const cleared = await t.stripe.customers.update(customer.id, {
        invoice_settings: { default_payment_method: '' },
      });
      assert.equal(cleared.invoice_settings.default_payment_method, null);
    });
  });

  describe('DELETE /v1/customers/:id', () => {
    it('answers the deleted shape, then retrieve answers it too', async () => {
      const customer = await t.stripe.customers.create({ email: 'gone@example.com' });

      const deleted = await t.stripe.customers.del(customer.id);
      assert.deepEqual(
        { id: deleted.id, object: deleted.object, deleted: deleted.deleted },
        { id: customer.id, object: 'customer', deleted: true },
      );
      const retrieved = await t.stripe.customers.retrieve(customer.id);
      assert.equal(retrieved.deleted, true);
      assert.equal(prop(retrieved, 'email'), undefined);
    });

    it('hides a deleted customer from lists and refuses to update or delete it again', async () => {
      const customer = await t.stripe.customers.create({ email: 'gone@example.com' });
      await t.stripe.customers.del(customer.id);

      assert.equal((await t.stripe.customers.list({ email: 'gone@example.com' })).data.length, 0);
      const update = await expectRejection(
        t.stripe.customers.update(customer.id, { name: 'x' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(update.statusCode, 404);
      const again = await expectRejection(
        t.stripe.customers.del(customer.id),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(again.statusCode, 404);
    });

    it('detaches the customer PaymentMethods and deletes its cards', async () => {
      const customer = await t.stripe.customers.create({
        source: 'tok_visa',
        payment_method: 'pm_card_visa',
      });
      const [pm] = (await t.stripe.paymentMethods.list({ customer: customer.id })).data;
      assert.ok(pm);

      await t.stripe.customers.del(customer.id);

      assert.equal((await t.stripe.paymentMethods.retrieve(pm.id)).customer, null);
    });
  });

  describe('GET /v1/customers', () => {
    it('lists newest first, filters by exact email, and reports url and has_more', async () => {
      const first = await t.stripe.customers.create({ email: 'same@example.com' });
      const second = await t.stripe.customers.create({ email: 'same@example.com' });
      await t.stripe.customers.create({ email: 'Same@example.com' });

      const page = await t.stripe.customers.list({ email: 'same@example.com', limit: 1 });
      assert.equal(page.url, '/v1/customers');
      assert.equal(page.has_more, true);
      assert.deepEqual(
        page.data.map((c) => c.id),
        [second.id],
      );
      const all = await t.stripe.customers.list({ email: 'same@example.com' });
      assert.deepEqual(
        all.data.map((c) => c.id),
        [second.id, first.id],
      );
      assert.equal(all.has_more, false);
    });

    it('expands data.default_source in a list', async () => {
      await t.stripe.customers.create({ source: 'tok_visa' });
      const page = await t.stripe.customers.list({ expand: ['data.default_source'] });
      assert.equal(prop(page.data[0]?.default_source, 'object'), 'card');
    });

    it('refuses an expansion of a field that cannot be expanded', async () => {
      const customer = await t.stripe.customers.create({ email: 'x@example.com' });
      const error = await expectRejection(
        t.stripe.customers.retrieve(customer.id, { expand: ['email'] }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.param, 'expand');
    });
  });
});
