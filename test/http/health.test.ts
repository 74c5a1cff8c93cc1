import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str } from '../support/api.ts';
import { configureSandbox, prop } from '../support/sandbox.ts';

/** The readiness probe's Stripe call. */
const PROBE_ROUTE = 'GET /v1/customers';

describe(`GET /healthz and GET /readyz (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  before(async () => {
    api = await startApiHarness();
  });
  after(() => api.close());
  beforeEach(async () => {
    await configureSandbox(api.sandbox, { faults: { rate: 0, next: 0 } });
    // Past any cached report.
    api.clock.advance(10_000);
  });

  const probes = async () => (await api.stats()).byRoute[PROBE_ROUTE] ?? 0;

  it('answers /healthz with 200 ok', async () => {
    const res = await api.request('GET', '/healthz');

    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('answers /readyz with 200 and each check when the ledger and Stripe answer', async () => {
    const res = await api.request('GET', '/readyz');

    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: 'ready', checks: { ledger: 'ok', stripe: 'ok' } });
  });

  it('asks Stripe at most once per 10 seconds, however often it is probed', async () => {
    const before = await probes();

    for (let i = 0; i < 5; i++) assert.equal((await api.request('GET', '/readyz')).status, 200);
    api.clock.advance(9_000);
    assert.equal((await api.request('GET', '/readyz')).status, 200);
    assert.equal(await probes(), before + 1);

    api.clock.advance(1_000);
    assert.equal((await api.request('GET', '/readyz')).status, 200);
    assert.equal(await probes(), before + 2);
  });

  it('answers 503 not_ready naming Stripe when Stripe cannot be reached', async () => {
    await configureSandbox(api.sandbox, { faults: { rate: 1, kinds: ['reset'] } });

    const res = await api.request('GET', '/readyz');

    assert.equal(res.status, 503, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(str(res.body, 'code'), 'not_ready');
    assert.deepEqual(prop(res.body, 'checks'), { ledger: 'ok', stripe: 'failed' });
    assert.equal(str(res.body, 'requestId'), res.headers.get('x-request-id'));
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('answers 503 when Stripe answers with errors, and stays alive meanwhile', async () => {
    await configureSandbox(api.sandbox, { faults: { rate: 1, kinds: ['http_503'] } });

    assert.equal((await api.request('GET', '/readyz')).status, 503);
    assert.equal((await api.request('GET', '/healthz')).status, 200);
  });

  it('is ready again once Stripe answers and the cached report has expired', async () => {
    await configureSandbox(api.sandbox, { faults: { rate: 1, kinds: ['reset'] } });
    assert.equal((await api.request('GET', '/readyz')).status, 503);
    await configureSandbox(api.sandbox, { faults: { rate: 0 } });

    assert.equal((await api.request('GET', '/readyz')).status, 503);
    api.clock.advance(10_000);
    assert.equal((await api.request('GET', '/readyz')).status, 200);
  });
});
