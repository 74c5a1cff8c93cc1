import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import Stripe from 'stripe';
import { configureSandbox, resetSandbox, useTestSandbox } from '../support/sandbox.ts';

/**
 * Requests that overlap (issue 2: "two confirmations racing on one PaymentIntent, one customer
 * updated twice at once"). A little latency keeps each pair of requests in flight together.
 */
describe('sandbox under concurrent requests', () => {
  const t = useTestSandbox({}, { resetEach: false });
  beforeEach(async () => {
    await resetSandbox(t.sandbox);
    await configureSandbox(t.sandbox, { latency: { fixedMs: 20, jitterMs: 10 } });
  });

  async function customerWithCard(): Promise<{ customer: string; paymentMethod: string }> {
    const customer = await t.stripe.customers.create({ payment_method: 'pm_card_visa' });
    const pms = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    const pm = pms.data[0];
    assert.ok(pm);
    return { customer: customer.id, paymentMethod: pm.id };
  }

  async function unconfirmedIntent(customer: string, paymentMethod: string): Promise<string> {
    const pi = await t.stripe.paymentIntents.create({
      amount: 3100,
      currency: 'usd',
      customer,
      payment_method: paymentMethod,
      allowed_payment_method_types: ['card'],
    });
    assert.equal(pi.status, 'requires_confirmation');
    return pi.id;
  }

  /** The losing confirmation is refused the way Stripe refuses it, never as a second charge. */
  function assertRefusedConfirmation(reason: unknown): void {
    if (reason instanceof Stripe.errors.StripeInvalidRequestError) {
      assert.equal(reason.code, 'payment_intent_unexpected_state');
      return;
    }
    if (reason instanceof Stripe.errors.StripeRateLimitError) {
      assert.equal(reason.code, 'lock_timeout');
      return;
    }
    assert.fail(`unexpected refusal: ${String(reason)}`);
  }

  async function assertOneCharge(customer: string, pi: string): Promise<void> {
    const stored = await t.stripe.paymentIntents.retrieve(pi);
    assert.equal(stored.status, 'succeeded');
    assert.equal(stored.amount_received, 3100);
    const charges = await t.stripe.charges.list({ customer, limit: 100 });
    assert.equal(charges.data.length, 1, 'exactly one charge');
    assert.equal(charges.data[0]?.id, stored.latest_charge);
    assert.equal(charges.data[0]?.payment_intent, pi);
  }

  describe('confirmations racing on one PaymentIntent', () => {
    for (let round = 1; round <= 5; round++) {
      it(`round ${round}: two confirmations give one success, one refusal and one charge`, async () => {
        const { customer, paymentMethod } = await customerWithCard();
        const pi = await unconfirmedIntent(customer, paymentMethod);
        const results = await Promise.allSettled([
          t.stripe.paymentIntents.confirm(pi, { off_session: true }),
          t.stripe.paymentIntents.confirm(pi, { off_session: true }),
        ]);

        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1, 'exactly one confirmation succeeds');
        assert.equal(won[0]?.value.status, 'succeeded');
        for (const r of lost) assertRefusedConfirmation(r.reason);
        await assertOneCharge(customer, pi);
      });
    }

    it('five confirmations at once still give one charge', async () => {
      const { customer, paymentMethod } = await customerWithCard();
      const pi = await unconfirmedIntent(customer, paymentMethod);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => t.stripe.paymentIntents.confirm(pi, { off_session: true })),
      );

      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assertRefusedConfirmation(r.reason);
      await assertOneCharge(customer, pi);
    });

    it('two confirmations with one idempotency key give one charge: a replay or a 409', async () => {
      const { customer, paymentMethod } = await customerWithCard();
      const pi = await unconfirmedIntent(customer, paymentMethod);
      const options = { idempotencyKey: `confirm-${pi}` };
      const results = await Promise.allSettled([
        t.stripe.paymentIntents.confirm(pi, { off_session: true }, options),
        t.stripe.paymentIntents.confirm(pi, { off_session: true }, options),
      ]);

      assert.ok(results.some((r) => r.status === 'fulfilled'));
      for (const r of results) {
        if (r.status === 'fulfilled') {
          assert.equal(r.value.id, pi);
          assert.equal(r.value.status, 'succeeded');
        } else {
          assert.ok(r.reason instanceof Stripe.errors.StripeAPIError, String(r.reason));
          assert.equal(r.reason.statusCode, 409);
          assert.equal(r.reason.code, 'idempotency_key_in_use');
        }
      }
      await assertOneCharge(customer, pi);
    });

    it('a confirmation racing a cancellation leaves one consistent outcome', async () => {
      const { customer, paymentMethod } = await customerWithCard();
      const pi = await unconfirmedIntent(customer, paymentMethod);
      const [confirm, cancel] = await Promise.allSettled([
        t.stripe.paymentIntents.confirm(pi, { off_session: true }),
        t.stripe.paymentIntents.cancel(pi),
      ]);

      const stored = await t.stripe.paymentIntents.retrieve(pi);
      const charges = await t.stripe.charges.list({ customer, limit: 100 });
      if (stored.status === 'succeeded') {
        assert.equal(confirm.status, 'fulfilled');
        assert.equal(cancel.status, 'rejected');
        assert.equal(charges.data.length, 1);
      } else {
        assert.equal(stored.status, 'canceled');
        assert.equal(cancel.status, 'fulfilled');
        assert.equal(confirm.status, 'rejected');
        assert.equal(charges.data.length, 0);
      }
      for (const r of [confirm, cancel]) {
        if (r.status === 'rejected') assertRefusedConfirmation(r.reason);
      }
    });
  });

  describe('one customer updated at once', () => {
    it('two updates both succeed; the name is one of them and no metadata is lost', async () => {
      const customer = await t.stripe.customers.create({ name: 'Start' });
      const [a, b] = await Promise.all([
        t.stripe.customers.update(customer.id, { name: 'A', metadata: { a: '1' } }),
        t.stripe.customers.update(customer.id, { name: 'B', metadata: { b: '2' } }),
      ]);

      assert.equal(a.name, 'A');
      assert.equal(b.name, 'B');
      const final = await t.stripe.customers.retrieve(customer.id);
      assert.ok(!final.deleted);
      assert.ok(final.name === 'A' || final.name === 'B', `name ${final.name}`);
      assert.deepEqual(final.metadata, { a: '1', b: '2' });
    });

    it('twenty updates adding one metadata key each keep all twenty keys', async () => {
      const customer = await t.stripe.customers.create({});
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.stripe.customers.update(customer.id, { metadata: { [`k${i}`]: String(i) } }),
        ),
      );

      const final = await t.stripe.customers.retrieve(customer.id);
      assert.ok(!final.deleted);
      assert.deepEqual(
        final.metadata,
        Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, String(i)])),
      );
    });
  });

  describe('creation under load', () => {
    it('fifty concurrent customers.create give fifty distinct customers', async () => {
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.stripe.customers.create({ email: `c${i}@example.com` }),
        ),
      );

      const ids = created.map((c) => c.id);
      assert.equal(new Set(ids).size, 50);
      const listed = await t.stripe.customers.list({ limit: 100 });
      assert.deepEqual(listed.data.map((c) => c.id).sort(), [...ids].sort());
      assert.deepEqual(
        created.map((c) => c.email).sort(),
        Array.from({ length: 50 }, (_, i) => `c${i}@example.com`).sort(),
      );
    });

    it('ten concurrent off-session charges for one customer give ten charges', async () => {
      const { customer, paymentMethod } = await customerWithCard();
      const pis = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.stripe.paymentIntents.create({
            amount: 3100,
            currency: 'usd',
            customer,
            payment_method: paymentMethod,
            confirm: true,
            off_session: true,
            allowed_payment_method_types: ['card'],
          }),
        ),
      );

      assert.ok(pis.every((pi) => pi.status === 'succeeded'));
      assert.equal(new Set(pis.map((pi) => pi.id)).size, 10);
      const charges = await t.stripe.charges.list({ customer, limit: 100 });
      assert.equal(charges.data.length, 10);
      assert.equal(new Set(charges.data.map((c) => c.payment_intent)).size, 10);
    });

    it('a single-use token used twice at once attaches to exactly one customer', async () => {
      const token = await t.stripe.tokens.create({
        card: {
          number: '4242424242424242',
          exp_month: '12',
          exp_year: String(new Date().getUTCFullYear() + 2),
          cvc: '123',
        },
      });
      const results = await Promise.allSettled([
        t.stripe.customers.create({ source: token.id }),
        t.stripe.customers.create({ source: token.id }),
      ]);

      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        assert.ok(r.reason instanceof Stripe.errors.StripeInvalidRequestError, String(r.reason));
        assert.ok(
          ['token_already_used', 'token_in_use'].includes(r.reason.code ?? ''),
          r.reason.code,
        );
      }
      assert.equal((await t.stripe.customers.list({ limit: 100 })).data.length, 1);
    });
  });
});
