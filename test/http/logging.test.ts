import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/observability/logger.ts';
import { type ApiHarness, LEDGER_KIND, startApiHarness, str } from '../support/api.ts';
import { configureSandbox, isRecord, TEST_KEY } from '../support/sandbox.ts';

const SHOP_SECRET = 'shop-test-secret-0001';
/** A key the service does not know: a client's mistake, maybe another system's real key. */
const FOREIGN_SECRET = 'foreign-test-secret-01';

type Line = Record<string, unknown>;

describe(`the log of a full scenario (ledger: ${LEDGER_KIND})`, () => {
  let api: ApiHarness;
  const raw: string[] = [];
  let lines: Line[] = [];
  const emails: string[] = [];
  const tokens = ['tok_visa', 'tok_chargeCustomerFail', 'tok_threeDSecure2Required'];
  const unknownToken = `tok_unknown${randomUUID().slice(0, 8)}`;
  let clientSecret = '';

  before(async () => {
    const destination = {
      write(chunk: string) {
        raw.push(...chunk.split('\n').filter((line) => line !== ''));
      },
    };
    api = await startApiHarness({
      pinoLogger: createLogger({ level: 'debug', secrets: [SHOP_SECRET, TEST_KEY], destination }),
      http: { apiKeys: [{ label: 'shop', secret: SHOP_SECRET }] },
    });

    const call = (id: string, method: string, path: string, json?: unknown, secret = SHOP_SECRET) =>
      api.request(method, path, {
        ...(json === undefined ? {} : { json }),
        headers: { authorization: `Bearer ${secret}`, 'x-request-id': id },
      });
    const register = async (id: string, token: string) => {
      const email = `Jane.Doe.${randomUUID().slice(0, 8)}@Example.com`;
      emails.push(email);
      const res = await call(id, 'POST', '/api/customer', { email, stripeCreditCardToken: token });
      return str(res.body, 'stripeCustomerID') ?? assert.fail(res.text);
    };

    const good = await register('log-register', 'tok_visa');
    const declining = await register('log-register-2', 'tok_chargeCustomerFail');
    const secure = await register('log-register-3', 'tok_threeDSecure2Required');
    const duplicate = await call('log-duplicate', 'POST', '/api/customer', {
      email: emails[0],
      stripeCreditCardToken: 'tok_visa',
    });
    assert.equal(duplicate.status, 409, duplicate.text);
    const unknown = await call('log-unknown-token', 'POST', '/api/customer', {
      email: `unknown.${randomUUID().slice(0, 8)}@example.com`,
      stripeCreditCardToken: unknownToken,
    });
    assert.equal(str(unknown.body, 'code'), 'token_invalid');

    const charge = (id: string, customer: string) =>
      call(id, 'POST', '/api/payments', { stripeCustomerID: customer, amount: 2000 });
    assert.equal((await charge('log-charge', good)).status, 201);
    assert.equal((await charge('log-decline', declining)).status, 402);
    const needsAuth = await charge('log-3ds', secure);
    clientSecret = str(needsAuth.body, 'clientSecret') ?? assert.fail(needsAuth.text);
    assert.equal((await call('log-history', 'GET', `/api/payments/${good}`)).status, 200);

    const invalid = await call(
      'log-invalid',
      'GET',
      `/api/payments/${good}?status=jane@example.com`,
    );
    assert.equal(invalid.status, 400, invalid.text);
    const foreign = await call(
      'log-401',
      'GET',
      `/api/payments/${good}`,
      undefined,
      FOREIGN_SECRET,
    );
    assert.equal(foreign.status, 401, foreign.text);

    await configureSandbox(api.sandbox, { faults: { next: 2, kinds: ['http_500'] } });
    const failed = await charge('log-5xx', good);
    assert.equal(failed.status, 502, failed.text);

    lines = raw.map((line) => JSON.parse(line));
  });
  after(() => api.close());

  const of = (requestId: string) => lines.filter((line) => line.requestId === requestId);

  it('shows no API key, Stripe key, card token, client secret or full email', () => {
    const text = raw.join('\n');
    const lower = text.toLowerCase();

    for (const secret of [SHOP_SECRET, FOREIGN_SECRET, TEST_KEY, clientSecret]) {
      assert.ok(!text.includes(secret), `leaked: ${secret}`);
    }
    for (const token of [...tokens, unknownToken]) assert.ok(!text.includes(token), token);
    for (const email of [...emails, 'jane@example.com']) {
      assert.ok(!lower.includes(email.toLowerCase()), email);
    }
    assert.doesNotMatch(text, /\b(tok|pm)_(?!\*\*\*)/);
    assert.doesNotMatch(text, /\b(sk|rk)_(test|live)_(?!\*\*\*)/);
    assert.doesNotMatch(text, /_secret_(?!\*\*\*)/);
    assert.doesNotMatch(text, /[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9-]+\.[A-Za-z]/);
  });

  it('masks what it must keep: the token in a Stripe message, the email in a URL', () => {
    const unknownLines = JSON.stringify(of('log-unknown-token'));
    assert.match(unknownLines, /tok_\*\*\*/);
    assert.match(JSON.stringify(of('log-invalid')), /j\*\*\*@example\.com/);
  });

  it('puts the request id and the caller on every line of a request, Stripe calls too', () => {
    const charge = of('log-charge');
    assert.ok(charge.some((line) => line.msg === 'incoming request'));
    assert.ok(charge.some((line) => line.msg === 'request completed'));
    // Fastify writes "incoming request" before any hook runs, so before the key is checked.
    for (const line of charge.filter((line) => line.msg !== 'incoming request')) {
      assert.equal(line.apiClient, 'shop', JSON.stringify(line));
    }

    const stripeLines = lines.filter((line) => line.msg === 'stripe call');
    assert.ok(stripeLines.length >= 10);
    for (const line of stripeLines) {
      assert.equal(typeof line.requestId, 'string', JSON.stringify(line));
      assert.equal(line.apiClient, 'shop', JSON.stringify(line));
    }
  });

  it('logs every Stripe call with its operation, duration, outcome and request id', () => {
    const [created] = of('log-charge').filter(
      (line) => line.stripeCall === 'payment_intents.create',
    );
    assert.ok(isRecord(created));
    assert.equal(created.outcome, 'ok');
    assert.equal(typeof created.durationMs, 'number');
    assert.match(String(created.stripeRequestId), /^req_/);

    const [declined] = of('log-decline').filter(
      (line) => line.stripeCall === 'payment_intents.create',
    );
    assert.equal(declined?.outcome, 'card_declined');
    assert.equal(declined?.stripeStatus, 402);
    assert.match(String(declined?.stripeRequestId), /^req_/);
  });

  it('logs a 4xx once at info and a 5xx once at error, where it is handled', () => {
    for (const id of ['log-duplicate', 'log-decline', 'log-invalid', 'log-401']) {
      const rejected = of(id).filter((line) => line.msg === 'request rejected');
      assert.equal(rejected.length, 1, id);
      assert.equal(rejected[0]?.level, 30, id);
      assert.ok(
        of(id).every((line) => Number(line.level) < 40),
        id,
      );
    }

    const failed = of('log-5xx');
    const errors = failed.filter((line) => Number(line.level) >= 40);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]?.level, 50);
    assert.equal(errors[0]?.code, 'stripe_error');
    assert.equal(typeof errors[0]?.stripeRequestId, 'string');
  });
});
