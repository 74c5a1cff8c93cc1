import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  errorOf,
  expectRejection,
  prop,
  rawRequest,
  sdkFor,
  useTestSandbox,
} from '../support/sandbox.ts';

const NEXT_YEAR = String(new Date().getUTCFullYear() + 1);

/** `/v1/tokens`: card tokens from numbers, single use; magic test tokens, reusable. */
describe('sandbox tokens', () => {
  const t = useTestSandbox();

  function tokenize(card: Stripe.TokenCreateParams.Card): Promise<Stripe.Token> {
    return t.stripe.tokens.create({ card });
  }

  describe('POST /v1/tokens', () => {
    it('mints an unused token carrying a card with the number details', async () => {
      const token = await tokenize({
        number: '4242 4242 4242 4242',
        exp_month: '12',
        exp_year: NEXT_YEAR,
        cvc: '123',
        name: 'Jenny Rosen',
      });

      assert.match(token.id, /^tok_/);
      assert.equal(token.object, 'token');
      assert.equal(token.type, 'card');
      assert.equal(token.used, false);
      assert.equal(token.livemode, false);
      assert.match(String(token.card?.id), /^card_/);
      assert.equal(token.card?.brand, 'Visa');
      assert.equal(token.card?.last4, '4242');
      assert.equal(token.card?.exp_month, 12);
      assert.equal(token.card?.exp_year, Number(NEXT_YEAR));
      assert.equal(token.card?.name, 'Jenny Rosen');
      assert.equal(token.card?.cvc_check, 'pass');
    });

    it('accepts a two-digit year as this century', async () => {
      const token = await tokenize({
        number: '5555555555554444',
        exp_month: '1',
        exp_year: NEXT_YEAR.slice(2),
      });
      assert.equal(token.card?.exp_year, Number(NEXT_YEAR));
      assert.equal(token.card?.brand, 'MasterCard');
    });

    const cardErrors = [
      { title: 'letters in the number', card: { number: '4242abcd' }, code: 'invalid_number' },
      {
        title: 'a failed Luhn check',
        card: { number: '4242424242424241' },
        code: 'incorrect_number',
      },
      { title: 'month 0', card: { exp_month: '0' }, code: 'invalid_expiry_month' },
      { title: 'a year in the past', card: { exp_year: '2001' }, code: 'invalid_expiry_year' },
      { title: 'a 2-digit CVC', card: { cvc: '12' }, code: 'invalid_cvc' },
      {
        title: 'a 3-digit CVC on an Amex',
        card: { number: '378282246310005', cvc: '123' },
        code: 'invalid_cvc',
      },
    ];
    for (const { title, card, code } of cardErrors) {
      it(`answers 402 ${code} for ${title}`, async () => {
        const error = await expectRejection(
          tokenize({ number: '4242424242424242', exp_month: '6', exp_year: NEXT_YEAR, ...card }),
          Stripe.errors.StripeCardError,
        );
        assert.equal(error.statusCode, 402);
        assert.equal(error.code, code);
      });
    }

    it('answers 400 parameter_missing for a card without a number', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/tokens', {
        body: `card[exp_month]=6&card[exp_year]=${NEXT_YEAR}`,
      });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.body).code, 'parameter_missing');
      assert.equal(errorOf(res.body).param, 'card[number]');
    });

    it('answers 400 when there is no card at all', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/tokens', { body: '' });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.body).type, 'invalid_request_error');
    });

    it('lets a publishable key create tokens but nothing else', async () => {
      const publishable = sdkFor(t.sandbox, {}, 'pk_test_sandbox');
      const token = await publishable.tokens.create({
        card: { number: '4242424242424242', exp_month: '6', exp_year: NEXT_YEAR },
      });
      assert.match(token.id, /^tok_/);

      await expectRejection(
        publishable.customers.create({ email: 'p@example.com' }),
        Stripe.errors.StripeAuthenticationError,
      );
    });
  });

  describe('GET /v1/tokens/:id', () => {
    it('returns a minted token, marked used once it has been used', async () => {
      const token = await tokenize({
        number: '4242424242424242',
        exp_month: '6',
        exp_year: NEXT_YEAR,
      });
      assert.equal((await t.stripe.tokens.retrieve(token.id)).used, false);

      const customer = await t.stripe.customers.create({ source: token.id });

      assert.equal((await t.stripe.tokens.retrieve(token.id)).used, true);
      // The token's card keeps its id once attached.
      assert.equal(customer.default_source, token.card?.id);
    });

    it('describes a magic token', async () => {
      const token = await t.stripe.tokens.retrieve('tok_amex');
      assert.equal(token.id, 'tok_amex');
      assert.equal(token.card?.brand, 'American Express');
      assert.equal(token.used, false);
    });

    it('answers 404 for an unknown token', async () => {
      const error = await expectRejection(
        t.stripe.tokens.retrieve('tok_unknown'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 404);
      assert.equal(prop(error.raw, 'message'), "No such token: 'tok_unknown'");
    });
  });

  describe('using tokens', () => {
    it('refuses a second use of a minted token with 400 token_already_used', async () => {
      const token = await tokenize({
        number: '4242424242424242',
        exp_month: '6',
        exp_year: NEXT_YEAR,
      });
      await t.stripe.customers.create({ source: token.id });

      const error = await expectRejection(
        t.stripe.paymentMethods.create({ type: 'card', card: { token: token.id } }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'token_already_used');
      assert.equal(
        prop(error.raw, 'message'),
        `You cannot use a Stripe token more than once: ${token.id}.`,
      );
    });

    it('lets a magic token be used again and again, each use a new card', async () => {
      const first = await t.stripe.customers.create({ source: 'tok_visa' });
      const second = await t.stripe.customers.create({ source: 'tok_visa' });
      assert.notEqual(first.default_source, second.default_source);
    });

    it('answers 400 resource_missing naming the parameter for an unknown token', async () => {
      const error = await expectRejection(
        t.stripe.customers.create({ source: 'tok_unknown' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'resource_missing');
      assert.equal(error.param, 'source');
      assert.equal(prop(error.raw, 'message'), "No such token: 'tok_unknown'");
    });

    it('keeps a minted token unused when attaching its declined card fails', async () => {
      const token = await tokenize({
        number: '4000000000000002',
        exp_month: '6',
        exp_year: NEXT_YEAR,
      });

      await expectRejection(
        t.stripe.customers.create({ source: token.id }),
        Stripe.errors.StripeCardError,
      );
      assert.equal((await t.stripe.tokens.retrieve(token.id)).used, false);
    });
  });
});
