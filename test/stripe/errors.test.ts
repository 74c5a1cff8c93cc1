import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { translateStripeError } from '../../src/stripe/errors.ts';

const { errors } = Stripe;

describe('translateStripeError', () => {
  it('keeps Stripe code, decline code and user-facing message of a card error, as a 402', () => {
    const error = new errors.StripeCardError({
      message: 'Your card has insufficient funds.',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      statusCode: 402,
      requestId: 'req_123',
      request_log_url: 'https://dashboard.stripe.com/test/logs/req_123',
    });

    const translated = translateStripeError(error, 'customers.create');

    assert.equal(translated.status, 402);
    assert.equal(translated.code, 'card_declined');
    assert.equal(translated.detail, 'Your card has insufficient funds.');
    assert.deepEqual(translated.fields, { declineCode: 'insufficient_funds' });
    assert.ok(!JSON.stringify(translated.fields).includes('dashboard'));
  });

  it('keeps a card error code other than card_declined, such as expired_card', () => {
    const error = new errors.StripeCardError({ code: 'expired_card', statusCode: 402 });

    const translated = translateStripeError(error, 'customers.create');

    assert.equal(translated.code, 'expired_card');
    assert.deepEqual(translated.fields, {});
  });

  it('answers token_already_used for a spent token', () => {
    const error = new errors.StripeInvalidRequestError({
      code: 'token_already_used',
      statusCode: 400,
      message: 'You cannot use a Stripe token more than once: tok_1.',
    });

    assert.equal(translateStripeError(error, 'payment_methods.create').code, 'token_already_used');
  });

  it('answers token_already_used for a PaymentMethod attached to another customer', () => {
    const error = new errors.StripeInvalidRequestError({
      statusCode: 400,
      param: 'payment_method',
      message: 'The payment method you provided has already been attached to a customer.',
    });

    assert.equal(translateStripeError(error, 'customers.create').code, 'token_already_used');
  });

  it('answers token_invalid for an unknown token or payment method', () => {
    const error = new errors.StripeInvalidRequestError({
      code: 'resource_missing',
      statusCode: 400,
      param: 'card[token]',
    });

    assert.equal(translateStripeError(error, 'payment_methods.create').code, 'token_invalid');
    assert.equal(translateStripeError(error, 'customers.create').code, 'token_invalid');
  });

  it('answers customer_not_found when a PaymentIntent names a customer Stripe does not know', () => {
    const error = new errors.StripeInvalidRequestError({
      code: 'resource_missing',
      statusCode: 400,
      param: 'customer',
    });

    assert.equal(translateStripeError(error, 'payment_intents.create').code, 'customer_not_found');
  });

  it('answers 502 stripe_error for a Stripe 5xx or a body that is not JSON', () => {
    const server = new errors.StripeAPIError({ statusCode: 500, message: 'boom' });
    const nonsense = new errors.StripeAPIError({ message: 'Invalid JSON received' });

    assert.equal(translateStripeError(server, 'customers.retrieve').status, 502);
    assert.equal(translateStripeError(nonsense, 'customers.retrieve').code, 'stripe_error');
  });

  it('answers 503 stripe_unavailable with a Retry-After for rate limits and lost connections', () => {
    const limited = new errors.StripeRateLimitError({
      statusCode: 429,
      headers: { 'retry-after': '7' },
    });
    const lost = new errors.StripeConnectionError({ message: 'An error occurred' });

    const a = translateStripeError(limited, 'payment_intents.list');
    const b = translateStripeError(lost, 'payment_intents.list');

    assert.deepEqual([a.code, a.status, a.retryAfterSeconds], ['stripe_unavailable', 503, 7]);
    assert.equal(b.code, 'stripe_unavailable');
    assert.ok((b.retryAfterSeconds ?? 0) > 0);
  });

  it('answers 503 when Stripe reports the idempotency key busy (409)', () => {
    const busy = new errors.StripeAPIError({ statusCode: 409, code: 'idempotency_key_in_use' });

    assert.equal(translateStripeError(busy, 'payment_intents.create').code, 'stripe_unavailable');
  });

  it('answers 504 stripe_timeout when the request timed out', () => {
    const timeout = Object.assign(new TypeError('ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const error = new errors.StripeConnectionError({
      message: 'Request aborted due to timeout being reached (20000ms)',
      detail: timeout,
    });

    const translated = translateStripeError(error, 'payment_intents.create');

    assert.deepEqual([translated.code, translated.status], ['stripe_timeout', 504]);
  });

  it('answers 500 internal_error with a generic message for a bad API key', () => {
    const error = new errors.StripeAuthenticationError({
      statusCode: 401,
      message: 'Invalid API Key provided: sk_live_****abcd',
    });

    const translated = translateStripeError(error, 'customers.retrieve');

    assert.deepEqual([translated.code, translated.status], ['internal_error', 500]);
    assert.ok(!translated.detail.includes('sk_'));
    assert.equal(translated.logContext.stripeErrorType, 'StripeAuthenticationError');
  });

  it('answers 500 for anything unforeseen, from Stripe or not', () => {
    const odd = new errors.StripeInvalidRequestError({
      code: 'parameter_unknown',
      statusCode: 400,
    });

    assert.equal(translateStripeError(odd, 'payment_intents.create').code, 'internal_error');
    assert.equal(translateStripeError(new Error('x'), 'customers.create').code, 'internal_error');
  });

  it('logs Stripe message without the request id prefix the SDK adds', () => {
    const error = new errors.StripeAPIError({
      message: 'Oops',
      requestId: 'req_9',
      statusCode: 500,
    });

    const translated = translateStripeError(error, 'customers.create');

    assert.equal(error.message, '[req_9] Oops');
    assert.equal(translated.logContext.stripeMessage, 'Oops');
    assert.equal(translated.logContext.stripeRequestId, 'req_9');
  });
});
