import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';

const SHOP_SECRET = 'shop-test-secret-0001';
const ALLOWED = 'https://shop.example.com';

describe(`security headers and CORS closed by default (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({
      http: {
        apiKeys: [{ label: 'shop', secret: SHOP_SECRET }],
        timeouts: {
          connectionTimeoutMs: 200_000,
          requestTimeoutMs: 50_000,
          headersTimeoutMs: 40_000,
          keepAliveTimeoutMs: 70_000,
        },
      },
    });
  });
  after(() => api.close());

  it('sends the security headers on answers and on errors', async () => {
    for (const res of [
      await api.request('GET', '/healthz'),
      await api.request('GET', '/api/payments/cus_abc'),
      await api.request('GET', '/nowhere'),
    ]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, `${res.status}: ${csp}`);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('leaves the documentation its own content security policy', async () => {
    const res = await api.request('GET', '/docs/');

    assert.equal(res.status, 200, res.text);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
  });

  it('answers no CORS headers to a browser from another origin', async () => {
    const res = await api.request('GET', '/healthz', { headers: { origin: ALLOWED } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);

    const preflight = await api.request('OPTIONS', '/api/customer', {
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.ok(preflight.status >= 400, preflight.text);
  });

  it('keeps refusing bodies over 16 KiB with 413', async () => {
    const res = await api.request('POST', '/api/customer', {
      raw: JSON.stringify({ email: 'x'.repeat(17 * 1024), stripeCreditCardToken: 'tok_visa' }),
      headers: { authorization: `Bearer ${SHOP_SECRET}` },
    });

    assert.equal(res.status, 413, res.text);
    assert.equal(str(res.body, 'code'), 'payload_too_large');
  });

  it('sets the server timeouts from the configuration', () => {
    const server = api.app.server;
    assert.equal(server.timeout, 200_000);
    assert.equal(server.requestTimeout, 50_000);
    assert.equal(server.headersTimeout, 40_000);
    assert.equal(server.keepAliveTimeout, 70_000);
  });
});

describe(`CORS with an allow-list (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({
      http: { apiKeys: [{ label: 'shop', secret: SHOP_SECRET }], corsOrigins: [ALLOWED] },
    });
  });
  after(() => api.close());

  it('answers a preflight from an allowed origin, without asking for the key', async () => {
    const res = await api.request('OPTIONS', '/api/customer', {
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });

    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['authorization', 'content-type', 'idempotency-key']) {
      assert.ok(allowed.includes(header), allowed);
    }
  });

  it('lets an allowed origin read answers and their ids', async () => {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      headers: { origin: ALLOWED, authorization: `Bearer ${SHOP_SECRET}` },
    });

    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /X-Request-Id/i);
  });

  it('lets an allowed origin read a 401 too', async () => {
    const res = await api.request('GET', '/api/payments/cus_abc', { headers: { origin: ALLOWED } });

    assert.equal(res.status, 401, res.text);
    assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
  });

  it('answers no CORS headers to an origin not on the list', async () => {
    const res = await api.request('OPTIONS', '/api/customer', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });

    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
