import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str, uniqueEmail } from '../support/api.ts';

/** The value of one series in Prometheus' text format; 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const present = labelText === '' ? [] : labelText.split(',');
    if (wanted.every((label) => present.includes(label))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe(`GET /metrics (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  let text = '';
  let paidCustomer = '';
  before(async () => {
    api = await startApiHarness();

    const register = async (token: string) => {
      const res = await api.request('POST', '/api/customer', {
        json: { email: uniqueEmail(), stripeCreditCardToken: token },
      });
      return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
    };
    paidCustomer = await register('tok_visa');
    const declined = await register('tok_chargeCustomerFail');
    const charge = (customer: string, key: string) =>
      api.request('POST', '/api/payments', {
        json: { stripeCustomerID: customer, amount: 1200 },
        headers: { 'idempotency-key': key },
      });
    assert.equal((await charge(paidCustomer, 'm-1')).status, 201);
    assert.equal((await charge(paidCustomer, 'm-1')).status, 201);
    assert.equal((await charge(declined, 'm-2')).status, 402);
    assert.equal((await api.request('GET', `/api/payments/${paidCustomer}`)).status, 200);
    assert.equal((await api.request('GET', '/no/such/route')).status, 404);

    const res = await api.request('GET', '/metrics');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    text = res.text;
  });
  after(() => api.close());

  it('times HTTP requests by route pattern and status, never by raw URL', () => {
    const name = 'payments_api_http_request_duration_seconds_count';
    assert.equal(sample(text, name, { route: '/api/payments', status_code: '201' }), 2);
    assert.equal(sample(text, name, { route: '/api/payments', status_code: '402' }), 1);
    assert.equal(
      sample(text, name, {
        method: 'GET',
        route: '/api/payments/:customer_id',
        status_code: '200',
      }),
      1,
    );
    assert.equal(sample(text, name, { route: 'unmatched', status_code: '404' }), 1);
    assert.ok(!text.includes(paidCustomer), 'a customer id reached a label');
    assert.ok(!text.includes('/no/such/route'));
  });

  it('times Stripe calls by operation and counts their errors by code', () => {
    const duration = 'payments_api_stripe_call_duration_seconds_count';
    assert.equal(sample(text, duration, { operation: 'payment_intents.create', outcome: 'ok' }), 1);
    assert.equal(
      sample(text, duration, { operation: 'payment_intents.create', outcome: 'error' }),
      1,
    );
    assert.ok(sample(text, duration, { operation: 'customers.create', outcome: 'ok' }) >= 2);
    assert.equal(
      sample(text, 'payments_api_stripe_errors_total', {
        operation: 'payment_intents.create',
        code: 'card_declined',
      }),
      1,
    );
  });

  it('counts payments by outcome and replays apart', () => {
    assert.equal(sample(text, 'payments_api_payments_total', { outcome: 'succeeded' }), 1);
    assert.equal(sample(text, 'payments_api_payments_total', { outcome: 'declined' }), 1);
    assert.equal(sample(text, 'payments_api_idempotent_replays_total', { scope: 'payment' }), 1);
  });

  it('counts history syncs by result', () => {
    assert.equal(sample(text, 'payments_api_history_syncs_total', { result: 'synced' }), 1);
  });

  it('reads the pending attempts from the ledger at each scrape', async () => {
    assert.equal(sample(text, 'payments_api_pending_attempts'), 0);
    const now = new Date();
    await api.ledger.insertAttempt({
      id: 'att_metrics_pending',
      customerId: paidCustomer,
      amount: 700,
      currency: 'usd',
      stripeIdempotencyKey: 'papi_metrics_pending',
      status: 'pending',
      paymentIntentId: null,
      createdAt: now,
      updatedAt: now,
    });

    const res = await api.request('GET', '/metrics');

    assert.equal(sample(res.text, 'payments_api_pending_attempts'), 1);
  });
});
