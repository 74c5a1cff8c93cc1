import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';

describe(`POST /api/customer (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness();
  });
  after(() => api.close());

  const register = (json: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', '/api/customer', { json, headers });

  it('answers 201 with a customer whose default payment method is the card', async () => {
    const email = uniqueEmail();

    const res = await register({ email, stripeCreditCardToken: 'tok_visa' });

    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const id = str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
    assert.deepEqual(Object.keys(res.body ?? {}), ['stripeCustomerID']);
    const customer = await api.stripe.customers.retrieve(id, {
      expand: ['invoice_settings.default_payment_method'],
    });
    assert.ok(!customer.deleted);
    assert.equal(customer.email, email);
    const pm = customer.invoice_settings.default_payment_method;
    assert.ok(pm !== null && typeof pm !== 'string');
    assert.equal(pm.card?.last4, '4242');
    assert.equal(pm.customer, id);
  });

  it('stores the email trimmed and in lower case', async () => {
    const email = uniqueEmail('Mixed.Case');

    const res = await register({
      email: `  ${email.toUpperCase()} `,
      stripeCreditCardToken: 'tok_visa',
    });

    const id = str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
    const customer = await api.stripe.customers.retrieve(id);
    assert.ok(!customer.deleted);
    assert.equal(customer.email, email.toLowerCase());
  });

  it('accepts a PaymentMethod id (pm_...) in place of a token', async () => {
    const res = await register({
      email: uniqueEmail(),
      stripeCreditCardToken: 'pm_card_mastercard',
    });

    assert.equal(res.status, 201, res.text);
    const id = str(res.body, 'stripeCustomerID') ?? '';
    const customer = await api.stripe.customers.retrieve(id);
    assert.ok(!customer.deleted);
    assert.match(String(customer.invoice_settings.default_payment_method), /^pm_/);
  });

  it('answers 409 customer_exists naming the customer when the email is registered', async () => {
    const email = uniqueEmail();
    const first = await register({ email, stripeCreditCardToken: 'tok_visa' });

    const again = await register({ email: email.toUpperCase(), stripeCreditCardToken: 'tok_visa' });

    assert.equal(again.status, 409);
    assert.equal(str(again.body, 'code'), 'customer_exists');
    assert.equal(str(again.body, 'stripeCustomerID'), str(first.body, 'stripeCustomerID'));
  });

  it('creates one customer when the same email is registered by 5 requests at once', async () => {
    const email = uniqueEmail('race');
    const before = await api.stripe.customers.list({ email, limit: 100 });

    const results = await Promise.all(
      Array.from({ length: 5 }, () => register({ email, stripeCreditCardToken: 'tok_visa' })),
    );

    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
    const after = await api.stripe.customers.list({ email, limit: 100 });
    assert.equal(after.data.length - before.data.length, 1);
  });

  for (const [token, code, declineCode] of [
    ['tok_chargeDeclined', 'card_declined', 'generic_decline'],
    ['tok_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['tok_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
    ['tok_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'],
    ['tok_chargeDeclinedProcessingError', 'processing_error', 'processing_error'],
  ] as const) {
    it(`answers 402 ${code} (${declineCode}) when the card behind ${token} is refused`, async () => {
      const email = uniqueEmail();

      const res = await register({ email, stripeCreditCardToken: token });

      assert.equal(res.status, 402, res.text);
      assert.equal(str(res.body, 'code'), code);
      assert.equal(str(res.body, 'declineCode'), declineCode);
      // The email stays free: the user may come back with another card.
      const retry = await register({ email, stripeCreditCardToken: 'tok_visa' });
      assert.equal(retry.status, 201);
    });
  }

  it('answers 400 token_already_used for a token that was spent', async () => {
    const token = await api.stripe.tokens.create({
      card: { number: '4242424242424242', exp_month: '12', exp_year: '2034', cvc: '123' },
    });
    await register({ email: uniqueEmail(), stripeCreditCardToken: token.id });

    const res = await register({ email: uniqueEmail(), stripeCreditCardToken: token.id });

    assert.equal(res.status, 400);
    assert.equal(str(res.body, 'code'), 'token_already_used');
  });

  it('answers 400 token_already_used for a PaymentMethod that belongs to another customer', async () => {
    const first = await register({ email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' });
    const owner = await api.stripe.customers.retrieve(str(first.body, 'stripeCustomerID') ?? '');
    assert.ok(!owner.deleted);
    const pm = String(owner.invoice_settings.default_payment_method);

    const res = await register({ email: uniqueEmail(), stripeCreditCardToken: pm });

    assert.equal(res.status, 400, res.text);
    assert.equal(str(res.body, 'code'), 'token_already_used');
  });

  it('answers 400 token_invalid for a token or PaymentMethod Stripe does not know', async () => {
    for (const token of ['tok_doesNotExist', 'pm_doesNotExist']) {
      const res = await register({ email: uniqueEmail(), stripeCreditCardToken: token });

      assert.equal(res.status, 400, token);
      assert.equal(str(res.body, 'code'), 'token_invalid');
    }
  });

  it('replays the first answer for the same Idempotency-Key and body, with no new customer', async () => {
    const email = uniqueEmail();
    const body = { email, stripeCreditCardToken: 'tok_visa' };
    const first = await register(body, { 'idempotency-key': `reg-${email}` });
    const counted = await api.stats();

    const second = await register(body, { 'idempotency-key': `reg-${email}` });

    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.deepEqual(second.body, first.body);
    assert.equal((await api.stats()).total, counted.total);
  });

  it('replays a stored 402 with the same key', async () => {
    const body = { email: uniqueEmail(), stripeCreditCardToken: 'tok_chargeDeclined' };
    const first = await register(body, { 'idempotency-key': 'declined-once' });

    const second = await register(body, { 'idempotency-key': 'declined-once' });

    assert.equal(first.status, 402);
    assert.equal(second.status, 402);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(str(second.body, 'code'), 'card_declined');
    assert.notEqual(str(second.body, 'requestId'), str(first.body, 'requestId'));
  });

  it('answers 422 idempotency_key_reused for the same key with another body', async () => {
    await register(
      { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      { 'idempotency-key': 'k-422' },
    );

    const res = await register(
      { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      { 'idempotency-key': 'k-422' },
    );

    assert.equal(res.status, 422);
    assert.equal(str(res.body, 'code'), 'idempotency_key_reused');
  });
});
