import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chargeCustomer } from '../../src/payments/charge.ts';
import { type AppError, appError } from '../../src/payments/errors.ts';
import { registerCustomer } from '../../src/payments/register-customer.ts';
import { CHARGE_KEY_METADATA } from '../../src/payments/stripe-port.ts';
import { type TestDomain, testDomain } from '../support/domain.ts';
import { stripeDown } from '../support/fake-stripe.ts';

async function customerWith(domain: TestDomain, token = 'tok_visa'): Promise<string> {
  const answer = await registerCustomer(domain.deps, {
    email: `${token.toLowerCase()}@example.com`,
    stripeCreditCardToken: token,
    idempotencyKey: null,
  });
  return answer.body.stripeCustomerID;
}

describe('chargeCustomer', () => {
  it('charges the default card off-session and records the payment and the attempt', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);

    const answer = await chargeCustomer(domain.deps, {
      stripeCustomerID: customerId,
      amount: 1999,
      idempotencyKey: null,
    });

    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'succeeded');
    assert.equal(answer.body.amount, 1999);
    assert.equal(answer.body.currency, 'usd');
    const [attempt] = domain.ledger.attempts.values();
    assert.equal(attempt?.status, 'recorded');
    assert.equal(attempt?.paymentIntentId, answer.body.paymentIntentID);
    const [payment] = await domain.ledger.listPayments(customerId);
    assert.equal(payment?.id, answer.body.paymentIntentID);
  });

  it('writes the attempt as pending before Stripe is called', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    let seen: string | undefined;
    const create = domain.stripe.createPaymentIntent.bind(domain.stripe);
    domain.stripe.createPaymentIntent = async (input) => {
      seen = [...domain.ledger.attempts.values()][0]?.status;
      return create(input);
    };

    await chargeCustomer(domain.deps, {
      stripeCustomerID: customerId,
      amount: 500,
      idempotencyKey: null,
    });

    assert.equal(seen, 'pending');
  });

  it('puts the charge key into the PaymentIntent metadata', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);

    await chargeCustomer(domain.deps, {
      stripeCustomerID: customerId,
      amount: 500,
      idempotencyKey: 'k',
    });

    const [attempt] = domain.ledger.attempts.values();
    const [pi] = domain.stripe.paymentIntents;
    assert.ok(attempt && pi);
    assert.equal(pi.metadata[CHARGE_KEY_METADATA], attempt.stripeIdempotencyKey);
  });

  it('answers 402 with the decline code and records the failed PaymentIntent', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain, 'tok_chargeCustomerFail');

    await assert.rejects(
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 500,
        idempotencyKey: null,
      }),
      (error: AppError) => {
        assert.equal(error.status, 402);
        assert.equal(error.code, 'card_declined');
        assert.equal(error.fields.declineCode, 'generic_decline');
        assert.equal(error.fields.paymentIntentID, domain.stripe.paymentIntents[0]?.id);
        assert.equal(error.fields.clientSecret, undefined);
        return true;
      },
    );
    const [payment] = await domain.ledger.listPayments(customerId);
    assert.equal(payment?.status, 'requires_payment_method');
    assert.equal([...domain.ledger.attempts.values()][0]?.status, 'recorded');
  });

  it('answers authentication_required with the client secret of the PaymentIntent', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain, 'tok_threeDSecure2Required');

    await assert.rejects(
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 500,
        idempotencyKey: null,
      }),
      (error: AppError) => {
        assert.equal(error.code, 'authentication_required');
        assert.equal(error.fields.clientSecret, domain.stripe.paymentIntents[0]?.clientSecret);
        return true;
      },
    );
  });

  it('answers 404 customer_not_found for an unknown or deleted customer, writing no attempt', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    const customer = domain.stripe.customers.get(customerId);
    assert.ok(customer);
    customer.deleted = true;

    for (const id of [customerId, 'cus_unknown']) {
      await assert.rejects(
        chargeCustomer(domain.deps, { stripeCustomerID: id, amount: 500, idempotencyKey: null }),
        { code: 'customer_not_found', status: 404 },
      );
    }
    assert.equal(domain.ledger.attempts.size, 0);
  });

  it('answers 409 customer_has_no_payment_method when there is nothing to charge', async () => {
    const domain = testDomain();
    const customerId = domain.stripe.addCustomer({ email: 'x@example.com' });

    await assert.rejects(
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 500,
        idempotencyKey: null,
      }),
      { code: 'customer_has_no_payment_method', status: 409 },
    );
    assert.equal(domain.stripe.callsOf('createPaymentIntent').length, 0);
  });

  it('leaves the attempt pending when Stripe may have acted but the answer was lost', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    domain.stripe.failNext('createPaymentIntent', appError('stripe_timeout'), { after: true });

    await assert.rejects(
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 500,
        idempotencyKey: 'k',
      }),
      { code: 'stripe_timeout' },
    );

    assert.equal([...domain.ledger.attempts.values()][0]?.status, 'pending');
  });

  it('marks the attempt failed when Stripe refused the request outright', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    domain.stripe.failNext('createPaymentIntent', appError('customer_not_found'));

    await assert.rejects(
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 500,
        idempotencyKey: null,
      }),
      { code: 'customer_not_found' },
    );

    assert.equal([...domain.ledger.attempts.values()][0]?.status, 'failed');
  });

  it('makes one PaymentIntent when a request is retried after a lost answer', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    domain.stripe.failNext('createPaymentIntent', stripeDown(), { after: true });
    const charge = () =>
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 700,
        idempotencyKey: 'k',
      });

    await assert.rejects(charge(), { code: 'stripe_unavailable' });
    const retried = await charge();

    assert.equal(domain.stripe.paymentIntents.length, 1);
    assert.equal(retried.body.paymentIntentID, domain.stripe.paymentIntents[0]?.id);
    assert.equal((await domain.ledger.listPayments(customerId)).length, 1);
  });

  it('replays the stored 402 for the same key without charging again', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain, 'tok_chargeCustomerFail');
    const charge = () =>
      chargeCustomer(domain.deps, {
        stripeCustomerID: customerId,
        amount: 700,
        idempotencyKey: 'k',
      });

    await assert.rejects(charge(), { code: 'card_declined' });
    await assert.rejects(charge(), (error: AppError) => error.replayed && error.status === 402);

    assert.equal(domain.stripe.paymentIntents.length, 1);
  });

  it('gives every distinct request its own Stripe key', async () => {
    const domain = testDomain();
    const customerId = await customerWith(domain);
    const charge = (idempotencyKey: string | null) =>
      chargeCustomer(domain.deps, { stripeCustomerID: customerId, amount: 900, idempotencyKey });

    await charge('k1');
    await charge('k2');
    await charge(null);
    await charge(null);

    const keys = domain.stripe.callsOf('createPaymentIntent').map((call) => call.idempotencyKey);
    assert.equal(new Set(keys).size, 4);
    assert.equal(domain.stripe.paymentIntents.length, 4);
  });
});
