import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  configureSandbox,
  errorOf,
  expectRejection,
  prop,
  rawRequest,
  sdkFor,
  sleep,
  useTestSandbox,
} from '../support/sandbox.ts';

/**
 * Idempotent POSTs as Stripe documents them (stripe-semantics.md §5.1): records scoped by API key,
 * endpoint and `Idempotency-Key`; replays carry `Idempotent-Replayed: true`.
 */
describe('sandbox idempotency', () => {
  const t = useTestSandbox();

  const postCustomer = (key: string, body: string) =>
    rawRequest(t.sandbox, 'POST', '/v1/customers', { body, headers: { 'Idempotency-Key': key } });

  async function customerWithCard(): Promise<{ customer: string; paymentMethod: string }> {
    const customer = await t.stripe.customers.create({ payment_method: 'pm_card_visa' });
    const pms = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    const pm = pms.data[0];
    assert.ok(pm);
    return { customer: customer.id, paymentMethod: pm.id };
  }

  describe('replay', () => {
    it('the same key and parameters return the same object with Idempotent-Replayed: true', async () => {
      const params = { email: 'replay@example.com', name: 'Replay' };
      const first = await t.stripe.customers.create(params, { idempotencyKey: 'key-replay' });
      const second = await t.stripe.customers.create(params, { idempotencyKey: 'key-replay' });

      assert.equal(second.id, first.id);
      assert.equal(second.created, first.created);
      assert.notEqual(first.lastResponse.headers['idempotent-replayed'], 'true');
      assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
      const all = await t.stripe.customers.list({ limit: 100 });
      assert.deepEqual(
        all.data.map((c) => c.id),
        [first.id],
      );
    });

    it('a raw replay answers the stored status and body byte for byte', async () => {
      const first = await postCustomer('key-raw', 'email=raw%40example.com&metadata[a]=1');
      const second = await postCustomer('key-raw', 'email=raw%40example.com&metadata[a]=1');

      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.match(second.headers.get('request-id') ?? '', /^req_/);
    });

    it('a replay returns the response as first sent even after the object changed', async () => {
      const first = await t.stripe.customers.create(
        { name: 'Before' },
        { idempotencyKey: 'key-old' },
      );
      await t.stripe.customers.update(first.id, { name: 'After' });
      const replay = await t.stripe.customers.create(
        { name: 'Before' },
        { idempotencyKey: 'key-old' },
      );

      assert.equal(replay.id, first.id);
      assert.equal(replay.name, 'Before');
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
      assert.equal((await t.stripe.customers.retrieve(first.id)).id, first.id);
    });
  });

  describe('mismatch', () => {
    it('the same key with other parameters gives 400 idempotency_error (StripeIdempotencyError)', async () => {
      await t.stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: 'key-mm' });
      const err = await expectRejection(
        t.stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey: 'key-mm' }),
        Stripe.errors.StripeIdempotencyError,
      );

      assert.equal(err.statusCode, 400);
      assert.equal(err.rawType, 'idempotency_error');
      const all = await t.stripe.customers.list({ limit: 100 });
      assert.deepEqual(
        all.data.map((c) => c.email),
        ['one@example.com'],
      );
    });

    it('the same key on another endpoint gives 400 idempotency_error', async () => {
      await t.stripe.customers.create({ email: 'ep@example.com' }, { idempotencyKey: 'key-ep' });
      const err = await expectRejection(
        t.stripe.paymentIntents.create(
          { amount: 1000, currency: 'usd' },
          { idempotencyKey: 'key-ep' },
        ),
        Stripe.errors.StripeIdempotencyError,
      );

      assert.equal(err.statusCode, 400);
      assert.equal(err.rawType, 'idempotency_error');
      const pis = await t.stripe.paymentIntents.list({ limit: 100 });
      assert.equal(pis.data.length, 0);
    });

    it('the same key on another object of the same resource gives 400 idempotency_error', async () => {
      const a = await t.stripe.customers.create({ name: 'A' });
      const b = await t.stripe.customers.create({ name: 'B' });
      await t.stripe.customers.update(a.id, { name: 'A2' }, { idempotencyKey: 'key-path' });
      const res = await rawRequest(t.sandbox, 'POST', `/v1/customers/${b.id}`, {
        body: 'name=A2',
        headers: { 'Idempotency-Key': 'key-path' },
      });

      assert.equal(res.status, 400, res.text);
      assert.equal(errorOf(res.body).type, 'idempotency_error');
      const stored = await t.stripe.customers.retrieve(b.id);
      assert.equal('name' in stored ? stored.name : undefined, 'B');
    });
  });

  describe('scope', () => {
    it('the same key under another API key is an independent request', async () => {
      const other = sdkFor(t.sandbox, {}, 'sk_test_other');
      const params = { email: 'scope@example.com' };
      const mine = await t.stripe.customers.create(params, { idempotencyKey: 'key-scope' });
      const theirs = await other.customers.create(params, { idempotencyKey: 'key-scope' });

      assert.notEqual(theirs.id, mine.id);
      assert.notEqual(theirs.lastResponse.headers['idempotent-replayed'], 'true');
      // Different parameters under the other key are no mismatch either.
      const third = await other.customers.create(
        { email: 'other@example.com' },
        { idempotencyKey: 'key-scope-2' },
      );
      const mineAgain = await t.stripe.customers.create(
        { email: 'mine@example.com' },
        { idempotencyKey: 'key-scope-2' },
      );
      assert.notEqual(mineAgain.id, third.id);
      const all = await t.stripe.customers.list({ limit: 100 });
      assert.equal(all.data.length, 4);
    });
  });

  describe('failures', () => {
    it('a 402 decline is stored and replayed as the same 402 with the same PaymentIntent', async () => {
      const params: Stripe.PaymentIntentCreateParams = {
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_visa_chargeDeclined',
        confirm: true,
        allowed_payment_method_types: ['card'],
      };
      const first = await expectRejection(
        t.stripe.paymentIntents.create(params, { idempotencyKey: 'key-402' }),
        Stripe.errors.StripeCardError,
      );
      const second = await expectRejection(
        t.stripe.paymentIntents.create(params, { idempotencyKey: 'key-402' }),
        Stripe.errors.StripeCardError,
      );

      assert.equal(second.statusCode, 402);
      assert.equal(second.code, first.code);
      assert.equal(second.decline_code, first.decline_code);
      assert.ok(first.payment_intent);
      assert.equal(second.payment_intent?.id, first.payment_intent.id);
      assert.equal(second.headers?.['idempotent-replayed'], 'true');
      const pis = await t.stripe.paymentIntents.list({ limit: 100 });
      assert.deepEqual(
        pis.data.map((pi) => pi.id),
        [first.payment_intent.id],
      );
    });

    it('an attach-time decline is replayed as the same 402 and still creates no customer', async () => {
      const params = { email: 'declined@example.com', source: 'tok_chargeDeclined' };
      const first = await expectRejection(
        t.stripe.customers.create(params, { idempotencyKey: 'key-attach' }),
        Stripe.errors.StripeCardError,
      );
      const second = await expectRejection(
        t.stripe.customers.create(params, { idempotencyKey: 'key-attach' }),
        Stripe.errors.StripeCardError,
      );

      assert.equal(second.code, first.code);
      assert.equal(second.decline_code, first.decline_code);
      assert.equal(second.headers?.['idempotent-replayed'], 'true');
      assert.equal((await t.stripe.customers.list({ limit: 100 })).data.length, 0);
    });

    const rejected = [
      { title: 'a missing amount', body: 'currency=usd', code: 'parameter_missing' },
      {
        title: 'an unknown parameter',
        body: 'amount=1000&currency=usd&bogus=1',
        code: 'parameter_unknown',
      },
      {
        title: 'an amount below the minimum',
        body: 'amount=10&currency=usd',
        code: 'amount_too_small',
      },
    ];
    for (const { title, body, code } of rejected) {
      it(`a request rejected for ${title} is not stored: the same key then succeeds`, async () => {
        const key = `key-invalid-${title.replaceAll(' ', '-')}`;
        const bad = await rawRequest(t.sandbox, 'POST', '/v1/payment_intents', {
          body,
          headers: { 'Idempotency-Key': key },
        });
        assert.equal(bad.status, 400, bad.text);
        assert.equal(errorOf(bad.body).code, code);

        const good = await t.stripe.paymentIntents.create(
          { amount: 1000, currency: 'usd' },
          { idempotencyKey: key },
        );
        assert.equal(good.amount, 1000);
        assert.notEqual(good.lastResponse.headers['idempotent-replayed'], 'true');
        assert.equal((await t.stripe.paymentIntents.list({ limit: 100 })).data.length, 1);
      });
    }
  });

  describe('concurrency', () => {
    it('a request whose key is still in flight gets 409 idempotency_key_in_use', async () => {
      await configureSandbox(t.sandbox, { latency: { fixedMs: 300, jitterMs: 0 } });
      const body = 'email=race%40example.com';
      const firstCall = postCustomer('key-flight', body);
      await sleep(50);
      const secondCall = postCustomer('key-flight', body);
      const [first, second] = await Promise.all([firstCall, secondCall]);

      assert.equal(first.status, 200, first.text);
      assert.equal(second.status, 409, second.text);
      assert.equal(errorOf(second.body).code, 'idempotency_key_in_use');
      assert.match(second.headers.get('request-id') ?? '', /^req_/);

      // The 409 is not stored: once the first finished, the key replays its answer.
      const retry = await postCustomer('key-flight', body);
      assert.equal(retry.status, 200);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(prop(retry.body, 'id'), prop(first.body, 'id'));
      await configureSandbox(t.sandbox, { latency: { fixedMs: 0, jitterMs: 0 } });
      assert.equal((await t.stripe.customers.list({ limit: 100 })).data.length, 1);
    });

    it('a charge retried with the same key, in sequence and at once, creates one PaymentIntent', async () => {
      const { customer, paymentMethod } = await customerWithCard();
      const params: Stripe.PaymentIntentCreateParams = {
        amount: 4200,
        currency: 'usd',
        customer,
        payment_method: paymentMethod,
        confirm: true,
        off_session: true,
        allowed_payment_method_types: ['card'],
      };
      const options = { idempotencyKey: 'key-charge' };
      const first = await t.stripe.paymentIntents.create(params, options);
      const again = await t.stripe.paymentIntents.create(params, options);
      const burst = await Promise.allSettled(
        Array.from({ length: 5 }, () => t.stripe.paymentIntents.create(params, options)),
      );

      assert.equal(first.status, 'succeeded');
      assert.equal(again.id, first.id);
      // The first attempt has finished, so every later one is a replay, not a 409.
      for (const result of burst) {
        assert.equal(result.status, 'fulfilled');
        if (result.status === 'fulfilled') assert.equal(result.value.id, first.id);
      }
      const pis = await t.stripe.paymentIntents.list({ customer, limit: 100 });
      assert.deepEqual(
        pis.data.map((pi) => pi.id),
        [first.id],
      );
      const charges = await t.stripe.charges.list({ customer, limit: 100 });
      assert.equal(charges.data.length, 1);
    });
  });
});
