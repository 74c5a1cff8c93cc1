import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppError } from '../../src/payments/errors.ts';
import { paymentHistory } from '../../src/payments/history.ts';
import { testDomain } from '../support/domain.ts';
import { stripeDown } from '../support/fake-stripe.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('paymentHistory', () => {
  it('lists every payment of the customer, newest first, on the first call', async () => {
    const { deps, stripe, clock } = testDomain();
    const customerId = stripe.addCustomer();
    const old = stripe.addPaymentIntent({
      customerId,
      created: new Date(clock.now().getTime() - 90 * DAY),
    });
    const failed = stripe.addPaymentIntent({ customerId, status: 'requires_payment_method' });
    stripe.addPaymentIntent({ customerId: stripe.addCustomer() });

    const history = await paymentHistory(deps, { customerId });

    assert.deepEqual(
      history.payments.map((p) => p.id),
      [failed.id, old.id],
    );
    assert.equal(history.stale, false);
    assert.deepEqual(history.syncedAt, clock.now());
  });

  it('answers an empty list for a customer without payments', async () => {
    const { deps, stripe } = testDomain();

    const history = await paymentHistory(deps, { customerId: stripe.addCustomer() });

    assert.deepEqual(history.payments, []);
  });

  it('filters by status', async () => {
    const { deps, stripe } = testDomain();
    const customerId = stripe.addCustomer();
    const ok = stripe.addPaymentIntent({ customerId });
    stripe.addPaymentIntent({ customerId, status: 'requires_payment_method' });

    const history = await paymentHistory(deps, { customerId, status: 'succeeded' });

    assert.deepEqual(
      history.payments.map((p) => p.id),
      [ok.id],
    );
  });

  it('answers 404 customer_not_found for an unknown customer', async () => {
    const { deps } = testDomain();

    await assert.rejects(paymentHistory(deps, { customerId: 'cus_nobody' }), {
      code: 'customer_not_found',
    });
  });

  it('asks Stripe on a later call only for payments since the newest when all are final', async () => {
    const { deps, stripe, clock } = testDomain();
    const customerId = stripe.addCustomer();
    const monthAgo = new Date(clock.now().getTime() - 30 * DAY);
    stripe.addPaymentIntent({ customerId, created: monthAgo });
    await paymentHistory(deps, { customerId });
    clock.advance(DAY);
    const newest = stripe.addPaymentIntent({ customerId });
    let since: Date | null | undefined;
    const list = stripe.listPaymentIntents.bind(stripe);
    stripe.listPaymentIntents = (id, createdSince) => {
      since = createdSince;
      return list(id, createdSince);
    };

    const history = await paymentHistory(deps, { customerId });

    assert.equal(history.payments[0]?.id, newest.id);
    assert.equal(history.payments.length, 2);
    assert.deepEqual(since, monthAgo);
  });

  it('asks Stripe from shortly before the last sync when that is earlier than any payment', async () => {
    const { deps, stripe, clock } = testDomain();
    const customerId = stripe.addCustomer();
    await paymentHistory(deps, { customerId });
    const lastSync = clock.now();
    clock.advance(DAY);
    let since: Date | null | undefined;
    const list = stripe.listPaymentIntents.bind(stripe);
    stripe.listPaymentIntents = (id, createdSince) => {
      since = createdSince;
      return list(id, createdSince);
    };

    await paymentHistory(deps, { customerId });

    assert.deepEqual(since, new Date(lastSync.getTime() - deps.settings.syncOverlapMs));
  });

  it('asks Stripe again from the oldest payment that can still change', async () => {
    const { deps, stripe, clock } = testDomain();
    const customerId = stripe.addCustomer();
    const openSince = new Date(clock.now().getTime() - 10 * DAY);
    const open = stripe.addPaymentIntent({
      customerId,
      status: 'requires_action',
      created: openSince,
    });
    await paymentHistory(deps, { customerId });
    open.status = 'succeeded';
    let since: Date | null | undefined;
    const list = stripe.listPaymentIntents.bind(stripe);
    stripe.listPaymentIntents = (id, createdSince) => {
      since = createdSince;
      return list(id, createdSince);
    };

    const history = await paymentHistory(deps, { customerId });

    assert.deepEqual(since, openSince);
    assert.equal(history.payments[0]?.status, 'succeeded');
  });

  it('never moves a status backwards when Stripe answers with an older one', async () => {
    const { deps, stripe, ledger } = testDomain();
    const customerId = stripe.addCustomer();
    const pi = stripe.addPaymentIntent({ customerId, status: 'requires_action' });
    await ledger.upsertPayments([{ ...pi, customerId, status: 'succeeded' }]);

    const history = await paymentHistory(deps, { customerId });

    assert.equal(history.payments[0]?.status, 'succeeded');
  });

  it('serves the synced history flagged stale when Stripe is down', async () => {
    const { deps, stripe, clock } = testDomain();
    const customerId = stripe.addCustomer();
    const pi = stripe.addPaymentIntent({ customerId });
    await paymentHistory(deps, { customerId });
    const syncedAt = clock.now();
    clock.advance(MINUTE);
    stripe.failNext('retrieveCustomer', stripeDown());

    const history = await paymentHistory(deps, { customerId });

    assert.equal(history.stale, true);
    assert.deepEqual(history.syncedAt, syncedAt);
    assert.deepEqual(
      history.payments.map((p) => p.id),
      [pi.id],
    );
  });

  it('serves the stale history also when Stripe fails during the sync itself', async () => {
    const { deps, stripe } = testDomain();
    const customerId = stripe.addCustomer();
    await paymentHistory(deps, { customerId });
    stripe.failNext('listPaymentIntents', stripeDown());

    const history = await paymentHistory(deps, { customerId });

    assert.equal(history.stale, true);
  });

  it('answers 503 when Stripe is down and the customer was never synced', async () => {
    const { deps, stripe } = testDomain();
    const customerId = stripe.addCustomer();
    stripe.failNext('retrieveCustomer', stripeDown());

    await assert.rejects(paymentHistory(deps, { customerId }), (error: AppError) => {
      assert.equal(error.code, 'stripe_unavailable');
      assert.equal(error.status, 503);
      assert.ok((error.retryAfterSeconds ?? 0) > 0);
      return true;
    });
  });
});
