import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeCustomer } from '../../src/payments/charge.ts';
import { appError } from '../../src/payments/errors.ts';
import { registerCustomer } from '../../src/payments/register-customer.ts';
import { sweep } from '../../src/payments/sweeper.ts';
import { type TestDomain, testDomain } from '../support/domain.ts';
import { stripeDown } from '../support/fake-stripe.ts';

/** A charge whose answer is lost after Stripe made the PaymentIntent. */
async function lostCharge(domain: TestDomain, options: { reachesStripe: boolean }) {
  const { body } = await registerCustomer(domain.deps, {
    email: 'ada@example.com',
    stripeCreditCardToken: 'tok_visa',
    idempotencyKey: null,
  });
  domain.stripe.failNext('createPaymentIntent', appError('stripe_timeout'), {
    after: options.reachesStripe,
  });
  await assert.rejects(
    chargeCustomer(domain.deps, {
      stripeCustomerID: body.stripeCustomerID,
      amount: 1200,
      idempotencyKey: null,
    }),
    { code: 'stripe_timeout' },
  );
  return body.stripeCustomerID;
}

describe('sweep', () => {
  it('leaves a pending attempt alone while its request may still be running', async () => {
    const domain = testDomain();
    await lostCharge(domain, { reachesStripe: true });

    const report = await sweep(domain.deps);

    assert.equal(report.recorded, 0);
    assert.equal([...domain.ledger.attempts.values()][0]?.status, 'pending');
  });

  it('records the PaymentIntent of a pending attempt, found through its metadata', async () => {
    const domain = testDomain();
    const customerId = await lostCharge(domain, { reachesStripe: true });
    domain.clock.advance(domain.deps.settings.leaseMs + 1);

    const report = await sweep(domain.deps);

    assert.equal(report.recorded, 1);
    const [attempt] = domain.ledger.attempts.values();
    assert.equal(attempt?.status, 'recorded');
    assert.equal(attempt?.paymentIntentId, domain.stripe.paymentIntents[0]?.id);
    assert.equal((await domain.ledger.listPayments(customerId)).length, 1);
  });

  it('keeps an attempt without a PaymentIntent pending until the grace period is over', async () => {
    const domain = testDomain();
    await lostCharge(domain, { reachesStripe: false });
    domain.clock.advance(domain.deps.settings.leaseMs + 1);

    const early = await sweep(domain.deps);
    domain.clock.advance(domain.deps.settings.attemptGraceMs);
    const late = await sweep(domain.deps);

    assert.equal(early.stillPending, 1);
    assert.equal(late.failed, 1);
    assert.equal([...domain.ledger.attempts.values()][0]?.status, 'failed');
  });

  it('stops a run when Stripe is down and tries again on the next', async () => {
    const domain = testDomain();
    await lostCharge(domain, { reachesStripe: true });
    domain.clock.advance(domain.deps.settings.leaseMs + 1);
    domain.stripe.failNext('listPaymentIntents', stripeDown());

    const down = await sweep(domain.deps);
    const up = await sweep(domain.deps);

    assert.deepEqual([down.stillPending, down.recorded], [1, 0]);
    assert.equal(up.recorded, 1);
  });

  it('purges idempotency keys older than their time to live', async () => {
    const domain = testDomain();
    await registerCustomer(domain.deps, {
      email: 'ada@example.com',
      stripeCreditCardToken: 'tok_visa',
      idempotencyKey: 'k1',
    });

    const kept = await sweep(domain.deps);
    domain.clock.advance(domain.deps.settings.idempotencyTtlMs + 1);
    const purged = await sweep(domain.deps);

    assert.equal(kept.purgedKeys, 0);
    assert.equal(purged.purgedKeys, 1);
  });
});
