import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callerScopedKey } from '../../src/payments/keys.ts';
import { createPaymentsService } from '../../src/payments/service.ts';
import { testDomain } from '../support/domain.ts';

describe('callerScopedKey', () => {
  it('keeps a key as sent when there is no caller (open access)', () => {
    assert.equal(callerScopedKey(null, 'order-1'), 'order-1');
    assert.equal(callerScopedKey('shop', null), null);
  });

  it('gives two callers with the same key two different keys', () => {
    assert.notEqual(callerScopedKey('shop', 'order-1'), callerScopedKey('app', 'order-1'));
    assert.notEqual(callerScopedKey('shop', 'order-1'), 'order-1');
  });
});

describe('PaymentsService with callers', () => {
  async function setUp() {
    const domain = testDomain();
    const service = createPaymentsService(domain.deps);
    const registered = await service.registerCustomer({
      email: 'scope@example.com',
      stripeCreditCardToken: 'tok_visa',
      idempotencyKey: null,
    });
    return { domain, service, customerId: registered.body.stripeCustomerID };
  }

  it('charges twice when two callers send the same key and body', async () => {
    const { domain, service, customerId } = await setUp();
    const input = { stripeCustomerID: customerId, amount: 1000, idempotencyKey: 'order-1' };

    const shop = await service.charge({ ...input, caller: 'shop' });
    const app = await service.charge({ ...input, caller: 'app' });

    assert.equal(shop.replayed, false);
    assert.equal(app.replayed, false);
    assert.notEqual(shop.body.paymentIntentID, app.body.paymentIntentID);
    assert.equal(domain.stripe.paymentIntents.length, 2);
  });

  it('replays when the same caller sends the same key and body again', async () => {
    const { domain, service, customerId } = await setUp();
    const input = { stripeCustomerID: customerId, amount: 1000, idempotencyKey: 'order-1' };

    const first = await service.charge({ ...input, caller: 'shop' });
    const again = await service.charge({ ...input, caller: 'shop' });

    assert.equal(again.replayed, true);
    assert.equal(again.body.paymentIntentID, first.body.paymentIntentID);
    assert.equal(domain.stripe.paymentIntents.length, 1);
  });

  it('scopes registration keys by caller as well', async () => {
    const { domain, service } = await setUp();
    const input = { stripeCreditCardToken: 'tok_visa', idempotencyKey: 'signup-1' };

    await service.registerCustomer({ ...input, email: 'a@example.com', caller: 'shop' });
    // The other caller's same key with another body is its own key: no 422 mismatch.
    const other = await service.registerCustomer({
      ...input,
      email: 'b@example.com',
      caller: 'app',
    });

    assert.equal(other.status, 201);
    assert.equal(domain.stripe.customers.size, 3);
  });
});
