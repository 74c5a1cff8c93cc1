import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/payments/errors.ts';
import { registerCustomer } from '../../src/payments/register-customer.ts';
import { testDomain } from '../support/domain.ts';
import { stripeDown } from '../support/fake-stripe.ts';

const input = (overrides: Partial<Parameters<typeof registerCustomer>[1]> = {}) => ({
  email: 'ada@example.com',
  stripeCreditCardToken: 'tok_visa',
  idempotencyKey: null,
  ...overrides,
});

describe('registerCustomer', () => {
  it('creates a customer whose default payment method is made from the token', async () => {
    const { deps, stripe, ledger } = testDomain();

    const answer = await registerCustomer(deps, input());

    assert.equal(answer.status, 201);
    const customer = stripe.customers.get(answer.body.stripeCustomerID);
    assert.ok(customer);
    assert.equal(customer.email, 'ada@example.com');
    const pm = customer.defaultPaymentMethod ?? '';
    assert.match(pm, /^pm_/);
    assert.equal(stripe.paymentMethods.get(pm)?.token, 'tok_visa');
    assert.deepEqual(await ledger.findCustomerByEmail('ada@example.com'), {
      email: 'ada@example.com',
      stripeCustomerId: answer.body.stripeCustomerID,
      createdAt: deps.clock.now(),
    });
  });

  it('stores the email trimmed and in lower case', async () => {
    const { deps, stripe } = testDomain();

    const answer = await registerCustomer(deps, input({ email: '  Ada.Lovelace@Example.COM ' }));

    assert.equal(
      stripe.customers.get(answer.body.stripeCustomerID)?.email,
      'ada.lovelace@example.com',
    );
  });

  it('uses a pm_ id as the payment method without making a new one', async () => {
    const { deps, stripe } = testDomain();
    const pm = await stripe.createPaymentMethod('tok_visa', 'seed');

    const answer = await registerCustomer(deps, input({ stripeCreditCardToken: pm }));

    assert.equal(stripe.customers.get(answer.body.stripeCustomerID)?.defaultPaymentMethod, pm);
    assert.equal(stripe.callsOf('createPaymentMethod').length, 1);
  });

  it('answers 409 customer_exists naming the customer when the email is registered', async () => {
    const { deps, stripe } = testDomain();
    const first = await registerCustomer(deps, input());

    await assert.rejects(
      registerCustomer(
        deps,
        input({ email: 'ADA@example.com', stripeCreditCardToken: 'tok_visa' }),
      ),
      (error: AppError) => {
        assert.equal(error.code, 'customer_exists');
        assert.equal(error.fields.stripeCustomerID, first.body.stripeCustomerID);
        return true;
      },
    );
    assert.equal(stripe.callsOf('createCustomer').length, 1);
  });

  it('lets exactly one of two racing registrations of one email create a customer', async () => {
    const { deps, stripe } = testDomain();

    const results = await Promise.allSettled([
      registerCustomer(deps, input()),
      registerCustomer(deps, input()),
    ]);

    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(stripe.customers.size, 1);
  });

  it('frees the email when the card is refused, so another card can be registered', async () => {
    const { deps, ledger } = testDomain();

    await assert.rejects(
      registerCustomer(deps, input({ stripeCreditCardToken: 'tok_chargeDeclined' })),
      (error: AppError) => error.code === 'card_declined' && error.status === 402,
    );
    assert.equal(ledger.customers.size, 0);
    const answer = await registerCustomer(deps, input());
    assert.equal(answer.status, 201);
  });

  it('answers token_already_used for a spent token and token_invalid for an unknown one', async () => {
    const { deps } = testDomain();
    await registerCustomer(deps, input({ stripeCreditCardToken: 'tok_once_1' }));

    await assert.rejects(
      registerCustomer(
        deps,
        input({ email: 'b@example.com', stripeCreditCardToken: 'tok_once_1' }),
      ),
      { code: 'token_already_used' },
    );
    await assert.rejects(
      registerCustomer(deps, input({ email: 'c@example.com', stripeCreditCardToken: 'tok_nope' })),
      { code: 'token_invalid' },
    );
  });

  it('carries a distinct, deterministic Stripe key per operation, derived from the request key', async () => {
    const a = testDomain();
    const b = testDomain();

    await registerCustomer(a.deps, input({ idempotencyKey: 'key-1' }));
    await registerCustomer(b.deps, input({ idempotencyKey: 'key-1' }));

    const keysOf = (d: typeof a) => d.stripe.calls.map((call) => call.idempotencyKey);
    assert.deepEqual(keysOf(a), keysOf(b));
    const [pmKey, customerKey] = keysOf(a);
    assert.ok(pmKey && customerKey && pmKey !== customerKey);
  });

  it('creates one customer when a request is retried after Stripe answered but the answer was lost', async () => {
    const { deps, stripe, ledger } = testDomain();
    stripe.failNext('createCustomer', stripeDown(), { after: true });

    await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-1' })), {
      code: 'stripe_unavailable',
    });
    assert.equal(ledger.customers.get('ada@example.com')?.stripeCustomerId, null, 'kept reserved');
    const retried = await registerCustomer(deps, input({ idempotencyKey: 'key-1' }));

    assert.equal(retried.status, 201);
    assert.equal(stripe.customers.size, 1);
    assert.equal(stripe.callsOf('createCustomer').length, 2, 'the retry replayed the same key');
    assert.equal(
      (await ledger.findCustomerByEmail('ada@example.com'))?.stripeCustomerId,
      retried.body.stripeCustomerID,
    );
  });

  it('replays the first answer for the same key without calling Stripe', async () => {
    const { deps, stripe } = testDomain();
    const first = await registerCustomer(deps, input({ idempotencyKey: 'key-1' }));
    const calls = stripe.calls.length;

    const second = await registerCustomer(deps, input({ idempotencyKey: 'key-1' }));

    assert.deepEqual(second, { ...first, replayed: true });
    assert.equal(stripe.calls.length, calls);
  });

  describe('after a registration that failed part-way', () => {
    const crash = () => new Error('simulated crash');

    it('keeps the email reserved after a crash, answering 409 without an id to others', async () => {
      const { deps, stripe, ledger } = testDomain();
      stripe.failNext('createCustomer', crash(), { after: true });
      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-1' })), /crash/);

      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-2' })), (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'customer_exists');
        assert.equal(error.fields.stripeCustomerID, undefined);
        return true;
      });
      assert.equal(ledger.customers.get('ada@example.com')?.stripeCustomerId, null);
      assert.equal(stripe.callsOf('createCustomer').length, 1);
    });

    it('answers 409 naming the customer of the crashed request to a later request after the lease, creating none', async () => {
      const { deps, stripe, ledger, clock } = testDomain();
      stripe.failNext('createCustomer', crash(), { after: true });
      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-1' })), /crash/);
      const [made] = stripe.customers.keys();
      clock.advance(deps.settings.leaseMs + 1);

      await assert.rejects(registerCustomer(deps, input()), (error) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'customer_exists');
        assert.equal(error.fields.stripeCustomerID, made);
        return true;
      });
      assert.equal(stripe.customers.size, 1);
      assert.equal(stripe.callsOf('createCustomer').length, 1);
      assert.equal((await ledger.findCustomerByEmail('ada@example.com'))?.stripeCustomerId, made);
    });

    it('answers 201 with the same customer to a retry with the same key after a 503', async () => {
      const { deps, stripe } = testDomain();
      stripe.failNext('createCustomer', stripeDown(), { after: true });
      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-1' })), {
        code: 'stripe_unavailable',
      });
      const [made] = stripe.customers.keys();

      const retried = await registerCustomer(deps, input({ idempotencyKey: 'key-1' }));

      assert.deepEqual(retried, { status: 201, body: { stripeCustomerID: made }, replayed: false });
      assert.equal(stripe.customers.size, 1);
    });

    it('answers 201 to a retry with the same key that takes over from another request', async () => {
      const { deps, stripe, clock } = testDomain();
      stripe.failNext('createCustomer', stripeDown(), { after: true });
      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-1' })), {
        code: 'stripe_unavailable',
      });
      const [made] = stripe.customers.keys();
      // Another request takes the abandoned reservation over, then cannot reach Stripe either.
      clock.advance(deps.settings.leaseMs + 1);
      stripe.failNext('findCustomerByEmail', stripeDown());
      await assert.rejects(registerCustomer(deps, input({ idempotencyKey: 'key-2' })), {
        code: 'stripe_unavailable',
      });
      clock.advance(deps.settings.leaseMs + 1);

      const retried = await registerCustomer(deps, input({ idempotencyKey: 'key-1' }));

      assert.deepEqual(retried.body, { stripeCustomerID: made });
      assert.equal(retried.status, 201);
      assert.equal(stripe.customers.size, 1);
    });

    it('creates the customer after the lease when the failed request created none', async () => {
      const { deps, stripe, ledger, clock } = testDomain();
      stripe.failNext('createPaymentMethod', stripeDown());
      await assert.rejects(registerCustomer(deps, input()), { code: 'stripe_unavailable' });
      // An earlier customer with this email made outside the API is not one to recover.
      const outsider = stripe.addCustomer({ email: 'ada@example.com' });
      await assert.rejects(registerCustomer(deps, input()), { code: 'customer_exists' });
      clock.advance(deps.settings.leaseMs + 1);

      const answer = await registerCustomer(deps, input());

      assert.equal(answer.status, 201);
      assert.notEqual(answer.body.stripeCustomerID, outsider);
      assert.equal(
        (await ledger.findCustomerByEmail('ada@example.com'))?.stripeCustomerId,
        answer.body.stripeCustomerID,
      );
    });

    it('frees the email at once when Stripe refuses the token', async () => {
      const { deps, ledger } = testDomain();

      await assert.rejects(registerCustomer(deps, input({ stripeCreditCardToken: 'tok_nope' })), {
        code: 'token_invalid',
      });

      assert.equal(ledger.customers.size, 0);
      assert.equal((await registerCustomer(deps, input())).status, 201);
    });
  });
});
