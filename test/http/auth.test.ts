import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ApiHarness,
  type ApiResponse,
  LEDGER_KIND,
  startApiHarness,
  str,
  uniqueEmail,
} from '../support/api.ts';

/** Obviously fake secrets, long enough for API_KEYS' rule. */
const SHOP_SECRET = 'shop-test-secret-0001';
const APP_SECRET = 'app-test-secret-00002';

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

function assertUnauthorized(res: ApiResponse, challenge: string): void {
  assert.equal(res.status, 401, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(str(res.body, 'code'), 'unauthorized');
  assert.equal(str(res.body, 'requestId'), res.headers.get('x-request-id'));
  assert.equal(res.headers.get('www-authenticate'), challenge);
}

describe(`API keys (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({
      http: {
        apiKeys: [
          { label: 'shop', secret: SHOP_SECRET },
          { label: 'app', secret: APP_SECRET },
        ],
      },
    });
  });
  after(() => api.close());

  const MISSING = 'Bearer realm="payments-api"';
  const INVALID = 'Bearer realm="payments-api", error="invalid_token"';

  async function customer(secret = SHOP_SECRET): Promise<string> {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      headers: bearer(secret),
    });
    return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
  }

  it('answers 401 with a Bearer challenge to a request without a key, before Stripe', async () => {
    const before = (await api.stats()).total;

    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
    });

    assertUnauthorized(res, MISSING);
    assert.equal((await api.stats()).total, before);
  });

  it('answers 401 invalid_token for a wrong key or another scheme', async () => {
    for (const authorization of [
      'Bearer not-the-right-secret-0',
      `Bearer ${SHOP_SECRET}x`,
      `Basic ${Buffer.from(`${SHOP_SECRET}:`).toString('base64')}`,
      SHOP_SECRET,
      'Bearer',
    ]) {
      const res = await api.request('GET', `/api/payments/cus_${'x'.repeat(8)}`, {
        headers: { authorization },
      });
      assertUnauthorized(res, INVALID);
    }
  });

  it('accepts each configured key, with the scheme in any case', async () => {
    assert.match(await customer(SHOP_SECRET), /^cus_/);
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      headers: { authorization: `bearer ${APP_SECRET}` },
    });
    assert.equal(res.status, 201, res.text);
  });

  it('refuses an unauthenticated request before reading its body (401, not 413)', async () => {
    const res = await api.request('POST', '/api/payments', { raw: 'x'.repeat(20_000) });

    assertUnauthorized(res, MISSING);
  });

  it('checks the key before validating the request', async () => {
    const res = await api.request('POST', '/api/payments', { json: { amount: 'lots' } });

    assertUnauthorized(res, MISSING);
  });

  it('protects unknown paths under /api/ too, and answers 404 to a caller with a key', async () => {
    assertUnauthorized(await api.request('GET', '/api/nothing-here'), MISSING);

    const res = await api.request('GET', '/api/nothing-here', { headers: bearer(SHOP_SECRET) });
    assert.equal(res.status, 404, res.text);
  });

  it('judges a percent-encoded path by the route it reaches', async () => {
    const before = (await api.stats()).total;

    const res = await api.request('POST', '/%61pi/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
    });

    assert.ok(res.status === 401 || res.status === 404, res.text);
    assert.equal((await api.stats()).total, before);
  });

  it('keeps the probes, the OpenAPI document and the docs open', async () => {
    assert.equal((await api.request('GET', '/healthz')).status, 200);
    assert.equal((await api.request('GET', '/readyz')).status, 200);
    assert.equal((await api.request('GET', '/openapi.json')).status, 200);
    const docs = await api.request('GET', '/docs');
    assert.ok(docs.status === 200 || docs.status === 302, `GET /docs: ${docs.status}`);
  });

  it('asks for a key on /metrics', async () => {
    assertUnauthorized(await api.request('GET', '/metrics'), MISSING);

    const res = await api.request('GET', '/metrics', { headers: bearer(APP_SECRET) });
    assert.equal(res.status, 200, res.text);
  });

  it('scopes idempotency keys by client: the same key from two clients charges twice', async () => {
    const id = await customer();
    const charge = (secret: string) =>
      api.request('POST', '/api/payments', {
        json: { stripeCustomerID: id, amount: 1500 },
        headers: { ...bearer(secret), 'idempotency-key': 'order-42' },
      });

    const shop = await charge(SHOP_SECRET);
    const app = await charge(APP_SECRET);
    const shopAgain = await charge(SHOP_SECRET);

    assert.equal(shop.status, 201, shop.text);
    assert.equal(app.status, 201, app.text);
    assert.notEqual(str(app.body, 'paymentIntentID'), str(shop.body, 'paymentIntentID'));
    assert.equal(app.headers.get('idempotent-replayed'), null);
    assert.equal(shopAgain.headers.get('idempotent-replayed'), 'true');
    assert.equal(str(shopAgain.body, 'paymentIntentID'), str(shop.body, 'paymentIntentID'));
    const made = await api.stripe.paymentIntents.list({ customer: id });
    assert.equal(made.data.length, 2);
  });
});

describe(`open access, without API keys (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness();
  });
  after(() => api.close());

  it('serves /api/* and /metrics without a key', async () => {
    const res = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal((await api.request('GET', '/metrics')).status, 200);
  });

  it('ignores an Authorization header it has no key for', async () => {
    const res = await api.request('GET', `/api/payments/cus_${'y'.repeat(8)}`, {
      headers: bearer('whatever-the-client-sends'),
    });
    assert.equal(res.status, 404, res.text);
  });
});
