import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';
import { sleep } from '../support/sandbox.ts';

const KEYS = [
  { label: 'setup', secret: 'setup-test-secret-001' },
  { label: 'busy', secret: 'busy-test-secret-0001' },
  { label: 'calm', secret: 'calm-test-secret-0001' },
  { label: 'retrier', secret: 'retrier-test-secret-1' },
];
const bearer = (label: string) => ({
  authorization: `Bearer ${KEYS.find((key) => key.label === label)?.secret ?? ''}`,
});

/** A request the limiter sees but that never reaches Stripe (the id fails validation). */
const CHEAP_PATH = '/api/payments/not-a-customer';

describe(`rate limiting (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({
      http: { apiKeys: KEYS, rateLimit: { max: 3, windowMs: 60_000 } },
    });
  });
  after(() => api.close());

  it('counts each request once, then answers 429 rate_limited with Retry-After', async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.request('GET', CHEAP_PATH, { headers: bearer('busy') });
      assert.equal(res.status, 400, res.text);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);

    const res = await api.request('GET', CHEAP_PATH, { headers: bearer('busy') });

    assert.equal(res.status, 429, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(str(res.body, 'code'), 'rate_limited');
    assert.equal(str(res.body, 'requestId'), res.headers.get('x-request-id'));
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, res.text);
  });

  it('limits each API key on its own', async () => {
    const res = await api.request('GET', CHEAP_PATH, { headers: bearer('calm') });

    assert.equal(res.status, 400, res.text);
    assert.equal(res.headers.get('x-ratelimit-remaining'), '2');
  });

  it('limits requests with a wrong key by address, so keys cannot be guessed at will', async () => {
    const wrong = { authorization: 'Bearer guessing-secret-00000' };
    for (let i = 0; i < 3; i++) {
      assert.equal((await api.request('GET', CHEAP_PATH, { headers: wrong })).status, 401);
    }

    const res = await api.request('GET', CHEAP_PATH, { headers: wrong });

    assert.equal(res.status, 429, res.text);
    assert.equal(str(res.body, 'code'), 'rate_limited');
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await api.request('GET', '/healthz');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
    }
  });
});

describe(`rate limiting and idempotent retries (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness({
      http: { apiKeys: KEYS, rateLimit: { max: 2, windowMs: 1_000 } },
    });
  });
  after(() => api.close());

  it('answers a retry refused with 429 from the stored result after the window', async () => {
    const registered = await api.request('POST', '/api/customer', {
      json: { email: uniqueEmail(), stripeCreditCardToken: 'tok_visa' },
      headers: bearer('setup'),
    });
    const id = str(registered.body, 'stripeCustomerID') ?? assert.fail(registered.text);
    const charge = () =>
      api.request('POST', '/api/payments', {
        json: { stripeCustomerID: id, amount: 2500 },
        headers: { ...bearer('retrier'), 'idempotency-key': 'retry-me' },
      });

    const first = await charge();
    await charge();
    const limited = await charge();
    assert.equal(first.status, 201, first.text);
    assert.equal(limited.status, 429, limited.text);

    // Waiting what Retry-After says is all a client must do.
    await sleep(Number(limited.headers.get('retry-after')) * 1000 + 100);
    const retried = await charge();

    assert.equal(retried.status, 201, retried.text);
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    assert.equal(str(retried.body, 'paymentIntentID'), str(first.body, 'paymentIntentID'));
    const made = await api.stripe.paymentIntents.list({ customer: id });
    assert.equal(made.data.length, 1);
  });
});
