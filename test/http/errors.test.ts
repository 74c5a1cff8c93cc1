import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ApiHarness,
  type ApiResponse,
  LEDGER_KIND,
  startApiHarness,
  str,
  uniqueEmail,
} from '../support/api.ts';
import { configureSandbox, isRecord, prop } from '../support/sandbox.ts';

/** Checks the problem document every error answers with, and answers its `errors` by param. */
function assertProblem(res: ApiResponse, status: number, code: string): Map<string, string> {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(isRecord(res.body), res.text);
  assert.equal(res.body.status, status);
  assert.equal(res.body.code, code);
  assert.equal(res.body.type, `urn:payments-api:error:${code}`);
  for (const member of ['title', 'detail', 'requestId']) {
    assert.equal(typeof res.body[member], 'string', member);
  }
  assert.ok(!/stack|request_log_url|sk_(test|live)_|node_modules/.test(res.text), res.text);

  const errors = new Map<string, string>();
  const list = prop(res.body, 'errors');
  for (const entry of Array.isArray(list) ? list : []) {
    const param = str(entry, 'param');
    const message = str(entry, 'message');
    assert.ok(param !== undefined && message !== undefined, JSON.stringify(entry));
    errors.set(param, message);
  }
  return errors;
}

describe(`the error table (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({ stripeTimeoutMs: 2000, maxNetworkRetries: 1 });
  });
  after(() => api.close());

  async function customer(): Promise<string> {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
    });
    return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
  }

  describe('requests that fail validation', () => {
    let requestsBefore = 0;
    before(async () => {
      requestsBefore = (await api.stats()).total;
    });
    after(async () => {
      // Nothing in this group may have reached Stripe.
      assert.equal((await api.stats()).total, requestsBefore);
    });

    const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
      api.request('POST', path, { json, headers });

    it('answers 400 for malformed JSON', async () => {
      const res = await api.request('POST', '/api/customer', { raw: '{"email": "a@b.co",' });

      const errors = assertProblem(res, 400, 'invalid_request');
      assert.deepEqual([...errors.keys()], ['body']);
    });

    it('answers 400 for a body that is not a JSON object', async () => {
      for (const raw of ['[]', 'null', '"text"', '42']) {
        const res = await api.request('POST', '/api/payments', { raw });
        assert.deepEqual([...assertProblem(res, 400, 'invalid_request').keys()], ['body'], raw);
      }
    });

    it('lists every invalid field of a registration at once', async () => {
      const res = await post('/api/customer', {
        email: 'not-an-email',
        stripeCreditCardToken: 'card_123',
        extra: true,
      });

      const errors = assertProblem(res, 400, 'invalid_request');
      assert.deepEqual([...errors.keys()].sort(), ['email', 'extra', 'stripeCreditCardToken']);
      assert.equal(errors.get('extra'), 'is not allowed');
    });

    it('lists every missing field', async () => {
      const res = await post('/api/customer', {});

      const errors = assertProblem(res, 400, 'invalid_request');
      assert.equal(errors.get('email'), 'is required');
      assert.equal(errors.get('stripeCreditCardToken'), 'is required');
    });

    it('refuses emails that are not addresses or are longer than 254 characters', async () => {
      const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`;
      assert.ok(long.length > 254);
      for (const email of [
        '',
        'a@b',
        '@example.com',
        'a b@example.com',
        'a@@x.com',
        long,
        5,
        null,
      ]) {
        const res = await post('/api/customer', { email, stripeCreditCardToken: 'tok_visa' });
        assert.deepEqual(
          [...assertProblem(res, 400, 'invalid_request').keys()],
          ['email'],
          String(email),
        );
      }
    });

    it('refuses tokens that are neither tok_ nor pm_, or too long', async () => {
      for (const token of ['card_1', 'tok_', 'src_1', `tok_${'x'.repeat(252)}`, 'tok_a b', 7]) {
        const res = await post('/api/customer', {
          email: uniqueEmail(),
          stripeCreditCardToken: token,
        });
        const errors = assertProblem(res, 400, 'invalid_request');
        assert.deepEqual([...errors.keys()], ['stripeCreditCardToken'], String(token));
      }
    });

    it('refuses an amount that is not a JSON integer from 50 to 99,999,999', async () => {
      for (const amount of [10.5, '100', true, null, 49, 0, -100, 100_000_000, 1e300]) {
        const res = await post('/api/payments', { stripeCustomerID: 'cus_123', amount });
        const errors = assertProblem(res, 400, 'invalid_request');
        assert.deepEqual([...errors.keys()], ['amount'], String(amount));
      }
    });

    it('refuses a customer id that is not cus_ or is over 255 characters, in body and path', async () => {
      for (const id of ['acct_1', 'cus_', `cus_${'a'.repeat(252)}`, 'CUS_1', 'cus_1/2']) {
        const body = await post('/api/payments', { stripeCustomerID: id, amount: 100 });
        assert.deepEqual(
          [...assertProblem(body, 400, 'invalid_request').keys()],
          ['stripeCustomerID'],
        );
      }
      for (const id of ['acct_1', `cus_${'a'.repeat(252)}`, 'cus_%20x']) {
        const path = await api.request('GET', `/api/payments/${id}`);
        assert.deepEqual([...assertProblem(path, 400, 'invalid_request').keys()], ['customer_id']);
      }
    });

    it('refuses an unknown status filter or query parameter', async () => {
      const res = await api.request('GET', '/api/payments/cus_123?status=paid&page=2');

      const errors = assertProblem(res, 400, 'invalid_request');
      assert.deepEqual([...errors.keys()].sort(), ['page', 'status']);
    });

    it('refuses an Idempotency-Key over 255 characters or outside printable ASCII', async () => {
      for (const key of ['k'.repeat(256), 'clé']) {
        const res = await post(
          '/api/payments',
          { stripeCustomerID: 'cus_123', amount: 100 },
          { 'idempotency-key': key },
        );
        assert.deepEqual(
          [...assertProblem(res, 400, 'invalid_request').keys()],
          ['Idempotency-Key'],
        );
      }
    });

    it('lists invalid fields of the body and the headers together', async () => {
      const res = await post(
        '/api/payments',
        { amount: 1.5 },
        { 'idempotency-key': 'k'.repeat(300) },
      );

      const errors = assertProblem(res, 400, 'invalid_request');
      assert.deepEqual([...errors.keys()].sort(), [
        'Idempotency-Key',
        'amount',
        'stripeCustomerID',
      ]);
    });

    it('answers 413 payload_too_large for a body over 16 KiB', async () => {
      const res = await post('/api/customer', { email: `${'a'.repeat(17_000)}@x.com` });

      assertProblem(res, 413, 'payload_too_large');
    });

    it('answers 415 unsupported_media_type for a POST body that is not JSON', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'text/json']) {
        const res = await api.request('POST', '/api/customer', {
          raw: 'email=a%40b.co&stripeCreditCardToken=tok_visa',
          contentType,
        });
        assertProblem(res, 415, 'unsupported_media_type');
      }
    });

    it('answers 404 not_found for an unknown route', async () => {
      for (const path of ['/', '/api', '/api/customers', '/api/payments/cus_1/refunds']) {
        assertProblem(await api.request('GET', path), 404, 'not_found');
      }
    });

    it('answers 405 method_not_allowed with Allow for a known route and a wrong method', async () => {
      const cases: [string, string, string][] = [
        ['GET', '/api/customer', 'POST'],
        ['DELETE', '/api/customer', 'POST'],
        ['PUT', '/api/payments', 'POST'],
        ['DELETE', '/api/payments/cus_123', 'GET'],
        ['POST', '/api/payments/cus_123', 'GET'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await api.request(method, path);
        assertProblem(res, 405, 'method_not_allowed');
        assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
      }
    });

    it('answers 400 invalid_request for a badly encoded path or an overlong path segment', async () => {
      for (const path of [
        '/api/payments/cus_A/%',
        '/api/payments/%zz',
        `/api/payments/cus_${'a'.repeat(600)}`,
      ]) {
        const errors = assertProblem(await api.request('GET', path), 400, 'invalid_request');
        assert.deepEqual([...errors.keys()], ['path'], path);
      }
    });

    it('answers 400 for a history GET whose JSON body is null', async () => {
      const res = await api.request('GET', '/api/payments/cus_123', { raw: 'null' });
      assert.deepEqual([...assertProblem(res, 400, 'invalid_request').keys()], ['body']);
    });

    it('answers problem+json to requests too broken to parse, and closes the connection', async () => {
      const badHeader = await rawExchange(
        api.url,
        'GET /api/payments/cus_1 HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\n\r\n',
      );
      const hugeHeaders = await rawExchange(
        api.url,
        `GET /api/payments/cus_1 HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      for (const [answer, status, code] of [
        [badHeader, 400, 'invalid_request'],
        [hugeHeaders, 431, 'headers_too_large'],
      ] as const) {
        assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer);
        assert.match(answer, /\r\ncontent-type: application\/problem\+json\r\n/i);
        assert.match(answer, /\r\nconnection: close\r\n/i);
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
        assert.equal(body.code, code);
        assert.equal(body.status, status);
        assert.match(body.requestId, /^req_/);
      }
    });

    it('echoes a safe X-Request-Id as the requestId, and replaces an unsafe one', async () => {
      const safe = await api.request('GET', '/nope', { headers: { 'x-request-id': 'trace-42' } });
      const unsafe = await api.request('GET', '/nope', { headers: { 'x-request-id': 'a b<c>' } });

      assert.equal(str(safe.body, 'requestId'), 'trace-42');
      assert.equal(safe.headers.get('x-request-id'), 'trace-42');
      assert.notEqual(str(unsafe.body, 'requestId'), 'a b<c>');
    });
  });

  describe('Stripe failing', () => {
    after(() => configureSandbox(api.sandbox, { faults: { rate: 0, next: 0 } }));

    it('answers 502 stripe_error when Stripe answers 5xx on every attempt', async () => {
      // Two attempts: the SDK retries a 500 once with this harness's settings.
      await configureSandbox(api.sandbox, { faults: { next: 2, kinds: ['http_500'] } });

      const res = await api.request('POST', '/api/customer', {
        json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      });

      assertProblem(res, 502, 'stripe_error');
    });

    it('answers 503 stripe_unavailable with Retry-After when Stripe rate-limits us', async () => {
      const id = await customer();
      await configureSandbox(api.sandbox, { faults: { next: 1, kinds: ['http_429'] } });

      const res = await api.request('POST', '/api/payments', {
        json: { stripeCustomerID: id, amount: 500 },
      });

      assertProblem(res, 503, 'stripe_unavailable');
      assert.ok(Number(res.headers.get('retry-after')) > 0);
    });

    it('answers 503 stripe_unavailable when the connection to Stripe breaks', async () => {
      const id = await customer();
      // One more than the SDK's attempts: it retries a reset connection once on its own.
      await configureSandbox(api.sandbox, { faults: { next: 3, kinds: ['reset'] } });

      const res = await api.request('GET', `/api/payments/${id}`);

      assertProblem(res, 503, 'stripe_unavailable');
      assert.ok(Number(res.headers.get('retry-after')) > 0);
    });

    it('answers 504 stripe_timeout when Stripe does not answer in time', async () => {
      const id = await customer();
      await configureSandbox(api.sandbox, { faults: { next: 2, kinds: ['hang'], hangMs: 10_000 } });

      const res = await api.request('POST', '/api/payments', {
        json: { stripeCustomerID: id, amount: 500 },
      });

      assertProblem(res, 504, 'stripe_timeout');
    });

    it('carries out a charge once when the client retries its key after a 5xx', async () => {
      const id = await customer();
      const headers = { 'idempotency-key': `retry-${id}` };
      const json = { stripeCustomerID: id, amount: 777 };
      await configureSandbox(api.sandbox, { faults: { next: 2, kinds: ['http_503'] } });

      const failed = await api.request('POST', '/api/payments', { json, headers });
      const retried = await api.request('POST', '/api/payments', { json, headers });

      assert.equal(failed.status, 502);
      assert.equal(retried.status, 201, retried.text);
      assert.equal(retried.headers.get('idempotent-replayed'), null);
      const inStripe = await api.stripe.paymentIntents.list({ customer: id });
      assert.equal(inStripe.data.length, 1);
    });
  });

  describe('with a Stripe key Stripe refuses', () => {
    let badKey: ApiHarness;
    before(async () => {
      badKey = await startApiHarness({ sandbox: api.sandbox, stripeKey: 'sk_live_fake' });
    });
    after(() => badKey.close());

    it('answers 500 internal_error with a generic message and no trace of the key', async () => {
      const res = await badKey.request('POST', '/api/customer', {
        json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      });

      assertProblem(res, 500, 'internal_error');
      assert.ok(!res.text.includes('fake'));
      assert.ok(!res.text.includes('API Key'));
    });
  });
});

/** Sends raw bytes to the API and answers everything it wrote back before closing. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
