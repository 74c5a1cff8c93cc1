import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSensitive, REDACTED } from '../../src/observability/redact.ts';

describe('maskSensitive', () => {
  it('keeps the first letter and the domain of an email', () => {
    assert.equal(maskSensitive('owner jane.doe+x@example.com'), 'owner j***@example.com');
  });

  it('masks card tokens and PaymentMethod ids', () => {
    assert.equal(
      maskSensitive("No such token: 'tok_1AbC_def'; pm_card_visa"),
      "No such token: 'tok_***'; pm_***",
    );
  });

  it('masks Stripe keys and client secrets', () => {
    assert.equal(
      maskSensitive('key sk_live_abc123 and rk_test_x'),
      'key sk_live_*** and rk_test_***',
    );
    assert.equal(maskSensitive('pi_123_secret_abcDEF'), 'pi_123_secret_***');
  });

  it('hides each given secret wherever it appears', () => {
    assert.equal(
      maskSensitive('Bearer shop-test-secret-0001!', ['shop-test-secret-0001']),
      `Bearer ${REDACTED}!`,
    );
  });

  it('keeps JSON valid and leaves other ids alone', () => {
    const line = JSON.stringify({ msg: 'x', email: 'Ann@Example.org', id: 'cus_123', stock_1: 1 });

    const masked = maskSensitive(line);

    assert.deepEqual(JSON.parse(masked), {
      msg: 'x',
      email: 'A***@Example.org',
      id: 'cus_123',
      stock_1: 1,
    });
  });
});
