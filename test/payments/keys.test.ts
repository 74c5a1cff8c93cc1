import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyRoot, newAttemptId, requestHash, stripeKey } from '../../src/payments/keys.ts';

describe('requestHash', () => {
  it('does not depend on the order of the fields', () => {
    assert.equal(requestHash({ a: 1, b: 'x' }), requestHash({ b: 'x', a: 1 }));
  });

  it('tells different values and types apart', () => {
    assert.notEqual(requestHash({ amount: 100 }), requestHash({ amount: 101 }));
    assert.notEqual(requestHash({ amount: 100 }), requestHash({ amount: '100' }));
  });
});

describe('keyRoot and stripeKey', () => {
  it('derive the same Stripe key from the same client key, body and operation', () => {
    const a = stripeKey(keyRoot('payment', 'k1', 'h1'), 'create_payment_intent');
    const b = stripeKey(keyRoot('payment', 'k1', 'h1'), 'create_payment_intent');
    assert.equal(a, b);
  });

  it('derive different keys for another client key, body, scope or operation', () => {
    const base = keyRoot('customer', 'k1', 'h1');
    const keys = [
      stripeKey(base, 'create_customer'),
      stripeKey(base, 'create_payment_method'),
      stripeKey(keyRoot('customer', 'k2', 'h1'), 'create_customer'),
      stripeKey(keyRoot('customer', 'k1', 'h2'), 'create_customer'),
      stripeKey(keyRoot('payment', 'k1', 'h1'), 'create_customer'),
    ];
    assert.equal(new Set(keys).size, keys.length);
  });

  it('make a fresh root for a request without a client key', () => {
    assert.notEqual(keyRoot('payment', null, 'h1'), keyRoot('payment', null, 'h1'));
  });

  it('stay within the 255 characters Stripe accepts, whatever the client key', () => {
    const key = stripeKey(keyRoot('payment', 'k'.repeat(255), 'h'), 'create_payment_intent');
    assert.ok(key.length <= 255);
  });
});

describe('newAttemptId', () => {
  it('answers a new id each time', () => {
    assert.notEqual(newAttemptId(), newAttemptId());
  });
});
