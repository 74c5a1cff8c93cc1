import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  configureSandbox,
  errorOf,
  expectRejection,
  isRecord,
  prop,
  type RawResponse,
  rawRequest,
  sdkFor,
  useTestSandbox,
} from '../support/sandbox.ts';

/**
 * Stripe's v1 wire protocol over raw HTTP (stripe-semantics.md §8.2, §2.3): authentication, the
 * error envelope, form encoding, and how the official SDK maps statuses to error classes.
 */

const STACK_TRACE = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+/;

function basic(user: string): string {
  return `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
}

/** A Stripe error envelope with the given status, a message and no internals. */
function assertEnvelope(res: RawResponse, status: number): Record<string, unknown> {
  assert.equal(res.status, status, res.text);
  const error = errorOf(res.body);
  assert.equal(typeof error.type, 'string');
  assert.equal(typeof error.message, 'string');
  assert.doesNotMatch(res.text, STACK_TRACE);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return error;
}

describe('sandbox wire protocol', () => {
  const t = useTestSandbox();

  const get = (path: string, key?: string | null, headers?: Record<string, string>) =>
    rawRequest(t.sandbox, 'GET', path, { key, headers });
  const post = (path: string, body: string, headers?: Record<string, string>) =>
    rawRequest(t.sandbox, 'POST', path, { body, headers });

  describe('authentication', () => {
    it('a Bearer sk_test_ key is accepted', async () => {
      const res = await get('/v1/customers', 'sk_test_x');
      assert.equal(res.status, 200, res.text);
      assert.equal(prop(res.body, 'object'), 'list');
    });

    it('a Bearer rk_test_ restricted key is accepted', async () => {
      const res = await get('/v1/customers', 'rk_test_x');
      assert.equal(res.status, 200, res.text);
    });

    it('Basic auth with the key as user name and an empty password is accepted', async () => {
      const res = await get('/v1/customers', null, { Authorization: basic('sk_test_x') });
      assert.equal(res.status, 200, res.text);
    });

    it('no Authorization header gives 401 "You did not provide an API key"', async () => {
      const res = await get('/v1/customers', null);
      const error = assertEnvelope(res, 401);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(String(error.message), /^You did not provide an API key/);
    });

    it('a live key gives 401 with the key masked to its last four characters', async () => {
      const key = 'sk_live_51secretsecret9876';
      const res = await get('/v1/customers', key);
      const error = assertEnvelope(res, 401);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(String(error.message), /^Invalid API Key provided: sk_live_\*+9876$/);
      assert.ok(!res.text.includes(key), 'the full key is never echoed');
      assert.ok(!res.text.includes('secretsecret'), 'the middle of the key is never echoed');
    });

    it('a garbage key gives 401 without echoing the key', async () => {
      const key = 'garbage_token_value_5555';
      const res = await get('/v1/customers', key);
      const error = assertEnvelope(res, 401);
      assert.match(String(error.message), /^Invalid API Key provided: /);
      assert.ok(!res.text.includes(key));
      assert.ok(!res.text.includes('token_value'));
    });

    it('an empty Bearer value, a live key in Basic auth, or another scheme give 401', async () => {
      for (const authorization of ['Bearer ', basic('sk_live_abcd1234'), 'Token sk_test_x']) {
        const res = await get('/v1/customers', null, { Authorization: authorization });
        assertEnvelope(res, 401);
      }
    });

    it('a request refused for its key creates nothing', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/v1/customers', {
        key: 'sk_live_nope1234',
        body: 'email=nope%40example.com',
      });
      assertEnvelope(res, 401);
      assert.equal((await t.stripe.customers.list()).data.length, 0);
    });
  });

  describe('response headers', () => {
    it('every answer, success or error, carries a distinct Request-Id: req_...', async () => {
      const answers = [
        await get('/v1/customers'),
        await post('/v1/customers', 'email=rid%40example.com'),
        await post('/v1/customers', 'bogus=1'),
        await get('/v1/customers', null),
        await post('/v1/customers', 'source=tok_chargeDeclined'),
        await get('/v1/customers/cus_missing'),
        await get('/v1/no_such_route'),
      ];
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 400, 401, 402, 404, 404],
      );
      const ids = answers.map((a) => a.headers.get('request-id') ?? '');
      for (const id of ids) assert.match(id, /^req_[A-Za-z0-9]+$/);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('answers carry a Stripe-Version header', async () => {
      const res = await get('/v1/customers', undefined, { 'Stripe-Version': '2026-11-18.endive' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('stripe-version'), '2026-11-18.endive');
    });
  });

  describe('form bodies', () => {
    it('nested brackets set nested fields', async () => {
      const pm = await t.stripe.paymentMethods.create({
        type: 'card',
        card: { token: 'tok_visa' },
      });
      const res = await post(
        '/v1/customers',
        `payment_method=${pm.id}&invoice_settings[default_payment_method]=${pm.id}` +
          '&metadata[order]=42&metadata[note]=two+words',
      );
      assert.equal(res.status, 200, res.text);
      assert.equal(prop(prop(res.body, 'invoice_settings'), 'default_payment_method'), pm.id);
      assert.deepEqual(prop(res.body, 'metadata'), { order: '42', note: 'two words' });
    });

    it('percent escapes and + decode as form encoding does', async () => {
      const res = await post('/v1/customers', 'name=Jane+Doe&email=a%2Bb%40example.com');
      assert.equal(res.status, 200, res.text);
      assert.equal(prop(res.body, 'name'), 'Jane Doe');
      assert.equal(prop(res.body, 'email'), 'a+b@example.com');
    });

    for (const expand of ['expand[]=default_source', 'expand[0]=default_source']) {
      it(`the array form ${expand} is understood`, async () => {
        const res = await post('/v1/customers', `source=tok_visa&${expand}`);
        assert.equal(res.status, 200, res.text);
        const source = prop(res.body, 'default_source');
        assert.ok(isRecord(source), 'default_source is expanded');
        assert.equal(source.object, 'card');
        assert.equal(source.last4, '4242');
      });
    }

    for (const types of [
      'allowed_payment_method_types[]=card',
      'allowed_payment_method_types[0]=card',
    ]) {
      it(`${types} on a PaymentIntent is understood`, async () => {
        const res = await post('/v1/payment_intents', `amount=1000&currency=usd&${types}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(prop(res.body, 'payment_method_types'), ['card']);
      });
    }

    it('confirm=false and confirm=true are read as booleans', async () => {
      const base = 'amount=1000&currency=usd&payment_method=pm_card_visa';
      const types = '&allowed_payment_method_types[0]=card';
      const unconfirmed = await post('/v1/payment_intents', `${base}${types}&confirm=false`);
      const confirmed = await post('/v1/payment_intents', `${base}${types}&confirm=true`);
      assert.equal(unconfirmed.status, 200, unconfirmed.text);
      assert.equal(prop(unconfirmed.body, 'status'), 'requires_confirmation');
      assert.equal(confirmed.status, 200, confirmed.text);
      assert.equal(prop(confirmed.body, 'status'), 'succeeded');
    });

    it('an empty value unsets a field and an empty metadata value removes that key', async () => {
      const customer = await t.stripe.customers.create({
        description: 'Old',
        metadata: { a: '1', b: '2' },
      });
      const res = await post(`/v1/customers/${customer.id}`, 'description=&metadata[a]=');
      assert.equal(res.status, 200, res.text);
      assert.equal(prop(res.body, 'description'), null);
      assert.deepEqual(prop(res.body, 'metadata'), { b: '2' });
    });

    it('GET query strings use the same bracket encoding', async () => {
      const customer = await t.stripe.customers.create({});
      for (let i = 0; i < 3; i++) {
        await t.stripe.paymentIntents.create({
          amount: 900,
          currency: 'usd',
          customer: customer.id,
        });
      }
      const res = await get(`/v1/payment_intents?customer=${customer.id}&created[gte]=0&limit=2`);
      assert.equal(res.status, 200, res.text);
      const data = prop(res.body, 'data');
      assert.ok(Array.isArray(data));
      assert.equal(data.length, 2);
      assert.equal(prop(res.body, 'has_more'), true);
    });
  });

  describe('parameter validation', () => {
    it('an unknown parameter gives 400 parameter_unknown naming it', async () => {
      const error = assertEnvelope(
        await post('/v1/customers', 'email=x%40example.com&bogus=1'),
        400,
      );
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.code, 'parameter_unknown');
      assert.equal(error.param, 'bogus');
      assert.match(String(error.message), /bogus/);
      assert.equal((await t.stripe.customers.list()).data.length, 0);
    });

    it('an unknown nested parameter gives 400 parameter_unknown with its bracket path', async () => {
      const error = assertEnvelope(await post('/v1/customers', 'invoice_settings[bogus]=1'), 400);
      assert.equal(error.code, 'parameter_unknown');
      assert.equal(error.param, 'invoice_settings[bogus]');
    });

    it('a missing required parameter gives 400 parameter_missing naming it', async () => {
      const error = assertEnvelope(await post('/v1/payment_intents', 'currency=usd'), 400);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.code, 'parameter_missing');
      assert.equal(error.param, 'amount');
    });

    for (const types of ['payment_method_types[]=card', 'payment_method_types[0]=card']) {
      it(`${types} on a PaymentIntent gives 400 payment_method_types_no_longer_supported`, async () => {
        const res = await post('/v1/payment_intents', `amount=1000&currency=usd&${types}`);
        const error = assertEnvelope(res, 400);
        assert.equal(error.code, 'payment_method_types_no_longer_supported');
        assert.equal((await t.stripe.paymentIntents.list()).data.length, 0);
      });
    }

    for (const [method, path] of [
      ['GET', '/v1/no_such_route'],
      ['POST', '/v1/customers/cus_x/no_such_action'],
      ['PUT', '/v1/customers'],
      ['GET', '/v2/customers'],
    ] as const) {
      it(`an unknown route ${method} ${path} gives 404 in the envelope`, async () => {
        const res = await rawRequest(t.sandbox, method, path, method === 'GET' ? {} : { body: '' });
        const error = assertEnvelope(res, 404);
        assert.equal(error.type, 'invalid_request_error');
        assert.match(String(error.message), /Unrecognized request URL/);
        assert.match(res.headers.get('request-id') ?? '', /^req_/);
      });
    }
  });

  describe('hostile input gets a 4xx envelope, never a 5xx or a stack trace', () => {
    const cases: { title: string; send: () => Promise<RawResponse> }[] = [
      {
        title: 'malformed percent-encoding in a body',
        send: () => post('/v1/customers', 'email=%E0%A4%A&name=%zz'),
      },
      {
        title: 'malformed percent-encoding in a query',
        send: () => get('/v1/customers?limit=%zz'),
      },
      {
        title: 'a JSON body',
        send: () =>
          rawRequest(t.sandbox, 'POST', '/v1/customers', {
            body: '{"email":"json@example.com"}',
            contentType: 'application/json',
          }),
      },
      {
        title: 'a JSON body that is not even JSON',
        send: () =>
          rawRequest(t.sandbox, 'POST', '/v1/customers', {
            body: '{"email":',
            contentType: 'application/json',
          }),
      },
      {
        title: 'a body over 1 MB',
        send: () => post('/v1/customers', `description=${'a'.repeat(1024 * 1024 + 16)}`),
      },
      {
        title: 'brackets nested 200 deep',
        send: () => post('/v1/customers', `metadata${'[a]'.repeat(200)}=1`),
      },
      {
        title: 'an array where a string is expected',
        send: () => post('/v1/customers', 'email[]=a'),
      },
      {
        title: 'an object where a string is expected',
        send: () => post('/v1/customers', 'email[x]=a'),
      },
      {
        title: 'a non-integer amount',
        send: () => post('/v1/payment_intents', 'amount=1e3&currency=usd'),
      },
      {
        title: 'an amount beyond any integer',
        send: () => post('/v1/payment_intents', `amount=${'9'.repeat(400)}&currency=usd`),
      },
      {
        title: 'a list limit that is not a number',
        send: () => get('/v1/customers?limit=ten'),
      },
    ];

    for (const { title, send } of cases) {
      it(title, async () => {
        const res = await send();
        assert.ok(
          res.status >= 400 && res.status < 500,
          `status ${res.status}: ${res.text.slice(0, 300)}`,
        );
        assertEnvelope(res, res.status);
        assert.match(res.headers.get('request-id') ?? '', /^req_/);
        assert.equal((await t.stripe.customers.list()).data.length, 0);
        assert.equal((await get('/v1/customers')).status, 200, 'the server still answers');
      });
    }
  });

  describe('SDK error classes', () => {
    it('404 maps to StripeInvalidRequestError with resource_missing on id', async () => {
      const err = await expectRejection(
        t.stripe.customers.retrieve('cus_missing'),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(err.statusCode, 404);
      assert.equal(err.rawType, 'invalid_request_error');
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.param, 'id');
      // stripe-node 23 prefixes the message with the Request-Id it read from the answer.
      assert.match(err.requestId ?? '', /^req_/);
      assert.equal(err.message, `[${err.requestId}] ${String(prop(err.raw, 'message'))}`);
    });

    it('400 maps to StripeInvalidRequestError', async () => {
      const err = await expectRejection(
        t.stripe.paymentIntents.create({ amount: 10, currency: 'usd' }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'amount_too_small');
      assert.equal(err.param, 'amount');
    });

    it('401 maps to StripeAuthenticationError', async () => {
      const err = await expectRejection(
        sdkFor(t.sandbox, {}, 'sk_live_wrong1234').customers.list(),
        Stripe.errors.StripeAuthenticationError,
      );
      assert.equal(err.statusCode, 401);
    });

    it('402 maps to StripeCardError', async () => {
      const err = await expectRejection(
        t.stripe.customers.create({ source: 'tok_chargeDeclined' }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(err.statusCode, 402);
      assert.equal(err.rawType, 'card_error');
      assert.equal(err.code, 'card_declined');
    });

    it('an idempotency mismatch maps to StripeIdempotencyError', async () => {
      await t.stripe.customers.create({ name: 'A' }, { idempotencyKey: 'wire-mm' });
      const err = await expectRejection(
        t.stripe.customers.create({ name: 'B' }, { idempotencyKey: 'wire-mm' }),
        Stripe.errors.StripeIdempotencyError,
      );
      assert.equal(err.statusCode, 400);
    });

    it('500 maps to StripeAPIError', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_500'] } });
      const err = await expectRejection(t.stripe.customers.list(), Stripe.errors.StripeAPIError);
      assert.equal(err.statusCode, 500);
      assert.equal(err.rawType, 'api_error');
    });
  });
});
