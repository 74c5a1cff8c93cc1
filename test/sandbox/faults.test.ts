import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import {
  type FaultKind,
  type SandboxOptions,
  sandboxOptionsFromEnv,
  startSandbox,
} from '../../src/sandbox/index.ts';
import {
  configureSandbox,
  controlRequest,
  errorOf,
  expectRejection,
  prop,
  rawRequest,
  resetSandbox,
  sandboxStats,
  sdkFor,
  useTestSandbox,
} from '../support/sandbox.ts';

/**
 * Injected faults and latency (sandbox contract), and how stripe-node 23 reacts to each
 * (stripe-semantics.md §5.2): which answers it retries and which error class it raises.
 */

const ALL_KINDS: FaultKind[] = [
  'http_500',
  'http_503',
  'http_429',
  'http_429_retry',
  'reset',
  'hang',
];
const CREATE = 'POST /v1/customers';

describe('sandbox faults and latency', () => {
  const t = useTestSandbox();

  const createRaw = (email: string) =>
    rawRequest(t.sandbox, 'POST', '/v1/customers', {
      body: `email=${encodeURIComponent(email)}`,
      signal: AbortSignal.timeout(10_000),
    });
  const customersWith = async (email: string) =>
    (await t.stripe.customers.list({ email, limit: 100 })).data.length;
  const creates = async () => (await sandboxStats(t.sandbox)).byRoute[CREATE] ?? 0;

  describe('each kind over raw HTTP', () => {
    const httpKinds: {
      kind: FaultKind;
      status: number;
      code?: string;
      shouldRetry: string | null;
    }[] = [
      { kind: 'http_500', status: 500, shouldRetry: null },
      { kind: 'http_503', status: 503, shouldRetry: null },
      { kind: 'http_429', status: 429, code: 'rate_limit', shouldRetry: null },
      { kind: 'http_429_retry', status: 429, code: 'lock_timeout', shouldRetry: 'true' },
    ];

    for (const { kind, status, code, shouldRetry } of httpKinds) {
      it(`${kind} answers ${status} in the envelope, has no effect and is used up`, async () => {
        await configureSandbox(t.sandbox, { faults: { next: 1, kinds: [kind] } });
        const email = `${kind}@example.com`;
        const res = await createRaw(email);

        assert.equal(res.status, status, res.text);
        const error = errorOf(res.body);
        if (status >= 500) assert.equal(error.type, 'api_error');
        if (code !== undefined) assert.equal(error.code, code);
        assert.equal(res.headers.get('stripe-should-retry'), shouldRetry);
        assert.match(res.headers.get('request-id') ?? '', /^req_/);
        assert.equal(await customersWith(email), 0);
        assert.equal(await creates(), 1, 'a faulted request is still counted');

        const again = await createRaw(email);
        assert.equal(again.status, 200, again.text);
        assert.equal(await customersWith(email), 1);
      });
    }

    it('reset destroys the connection without an answer and has no effect', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['reset'] } });
      await assert.rejects(createRaw('reset@example.com'));

      assert.equal(await customersWith('reset@example.com'), 0);
      assert.equal(await creates(), 1);
      assert.equal((await createRaw('reset@example.com')).status, 200);
    });

    it('hang holds the request for hangMs, then destroys it without an effect', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['hang'], hangMs: 300 } });
      const started = performance.now();
      await assert.rejects(createRaw('hang@example.com'));

      assert.ok(performance.now() - started >= 290, 'held at least hangMs');
      assert.equal(await customersWith('hang@example.com'), 0);
      assert.equal((await createRaw('hang@example.com')).status, 200);
    });
  });

  describe('what the SDK makes of each kind', () => {
    it('http_500 without retries raises StripeAPIError', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_500'] } });
      const err = await expectRejection(
        t.stripe.customers.create({ email: 'a@example.com' }),
        Stripe.errors.StripeAPIError,
      );
      assert.equal(err.statusCode, 500);
      assert.equal(await customersWith('a@example.com'), 0);
    });

    it('http_503 without retries raises StripeAPIError', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_503'] } });
      const err = await expectRejection(t.stripe.customers.list(), Stripe.errors.StripeAPIError);
      assert.equal(err.statusCode, 503);
    });

    for (const kind of ['http_500', 'http_503'] as const) {
      it(`maxNetworkRetries 2 recovers from one ${kind} with exactly one object`, async () => {
        await configureSandbox(t.sandbox, { faults: { next: 1, kinds: [kind] } });
        const retrying = sdkFor(t.sandbox, { maxNetworkRetries: 2 });
        const customer = await retrying.customers.create({ email: `${kind}-retry@example.com` });

        assert.match(customer.id, /^cus_/);
        assert.equal(await customersWith(`${kind}-retry@example.com`), 1);
        assert.equal(await creates(), 2);
      });
    }

    it('http_429 is not retried by the SDK and raises StripeRateLimitError', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_429'] } });
      const retrying = sdkFor(t.sandbox, { maxNetworkRetries: 2 });
      const err = await expectRejection(
        retrying.customers.create({ email: 'limited@example.com' }),
        Stripe.errors.StripeRateLimitError,
      );

      assert.equal(err.statusCode, 429);
      assert.equal(err.code, 'rate_limit');
      assert.equal(await creates(), 1);
      assert.equal(await customersWith('limited@example.com'), 0);
    });

    it('http_429_retry is retried by the SDK (Stripe-Should-Retry) and then succeeds', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_429_retry'] } });
      const retrying = sdkFor(t.sandbox, { maxNetworkRetries: 2 });
      const customer = await retrying.customers.create({ email: 'locked@example.com' });

      assert.match(customer.id, /^cus_/);
      assert.equal(await creates(), 2);
      assert.equal(await customersWith('locked@example.com'), 1);
    });

    it('http_429_retry without retries raises StripeRateLimitError with lock_timeout', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['http_429_retry'] } });
      const err = await expectRejection(
        t.stripe.customers.list(),
        Stripe.errors.StripeRateLimitError,
      );
      assert.equal(err.code, 'lock_timeout');
    });

    it('reset on two attempts raises StripeConnectionError', async () => {
      // stripe-node retries a closed connection once even with maxNetworkRetries 0.
      await configureSandbox(t.sandbox, { faults: { next: 2, kinds: ['reset'] } });
      await expectRejection(
        t.stripe.customers.create({ email: 'reset@example.com' }),
        Stripe.errors.StripeConnectionError,
      );

      assert.equal(await creates(), 2);
      assert.equal(await customersWith('reset@example.com'), 0);
    });

    it('reset on one attempt is absorbed by the SDK retry with one object created', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['reset'] } });
      await t.stripe.customers.create({ email: 'once@example.com' });

      assert.equal(await creates(), 2);
      assert.equal(await customersWith('once@example.com'), 1);
    });

    it('hang past the SDK timeout raises StripeConnectionError and has no effect', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['hang'], hangMs: 1500 } });
      const impatient = sdkFor(t.sandbox, { timeout: 200 });
      const err = await expectRejection(
        impatient.customers.create({ email: 'hung@example.com' }),
        Stripe.errors.StripeConnectionError,
      );

      assert.match(err.message, /timeout/);
      assert.equal(await customersWith('hung@example.com'), 0);
    });

    it('hang followed by an SDK retry creates exactly one object', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 1, kinds: ['hang'], hangMs: 1500 } });
      const patient = sdkFor(t.sandbox, { timeout: 200, maxNetworkRetries: 1 });
      await patient.customers.create({ email: 'retried@example.com' });

      assert.equal(await customersWith('retried@example.com'), 1);
    });
  });

  describe('selection of faults', () => {
    it('next N fails exactly the next N /v1 requests', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 3, kinds: ['http_503'] } });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await rawRequest(t.sandbox, 'GET', '/v1/customers')).status);
      }
      assert.deepEqual(statuses, [503, 503, 503, 200]);
    });

    it('faults are drawn only from the configured kinds', async () => {
      await configureSandbox(t.sandbox, { faults: { next: 8, kinds: ['http_500', 'http_503'] } });
      for (let i = 0; i < 8; i++) {
        const res = await rawRequest(t.sandbox, 'GET', '/v1/customers');
        assert.ok([500, 503].includes(res.status), `status ${res.status}`);
      }
    });

    it('rate 1 fails every /v1 request and rate 0 none', async () => {
      await configureSandbox(t.sandbox, { faults: { rate: 1, kinds: ['http_503'] } });
      for (let i = 0; i < 5; i++) {
        assert.equal((await createRaw(`rate${i}@example.com`)).status, 503);
      }
      assert.equal((await rawRequest(t.sandbox, 'GET', '/v1/customers')).status, 503);

      await configureSandbox(t.sandbox, { faults: { rate: 0 } });
      assert.equal((await createRaw('rate-off@example.com')).status, 200);
      assert.equal((await t.stripe.customers.list({ limit: 100 })).data.length, 1);
    });

    it('control endpoints are never faulted and do not use up next', async () => {
      await configureSandbox(t.sandbox, { faults: { rate: 1, next: 1, kinds: ['reset'] } });
      assert.equal((await controlRequest(t.sandbox, 'GET', 'config')).status, 200);
      assert.equal((await controlRequest(t.sandbox, 'GET', 'stats')).status, 200);
      await configureSandbox(t.sandbox, { faults: { rate: 0, kinds: ['http_500'] } });

      const res = await rawRequest(t.sandbox, 'GET', '/v1/customers');
      assert.equal(res.status, 500, 'the pending next fault was kept for /v1');
    });

    it('a bad fault setting is refused with 400 and leaves the config unchanged', async () => {
      const before = await controlRequest(t.sandbox, 'GET', 'config');
      const bad: unknown[] = [
        { faults: { rate: 2 } },
        { faults: { rate: -0.1 } },
        { faults: { kinds: ['http_418'] } },
        { faults: { next: -1 } },
        { faults: { next: 1.5 } },
        { faults: { hangMs: 'long' } },
        { latency: { fixedMs: -1 } },
      ];
      for (const body of bad) {
        const res = await controlRequest(t.sandbox, 'POST', 'config', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(errorOf(res.body).type, 'invalid_request_error');
      }
      const afterwards = await controlRequest(t.sandbox, 'GET', 'config');
      assert.deepEqual(afterwards.body, before.body);
    });

    it('by default faults are off and drawn from all six kinds', async () => {
      const res = await controlRequest(t.sandbox, 'GET', 'config');
      assert.equal(res.status, 200);
      const faults = prop(res.body, 'faults');
      assert.deepEqual(prop(res.body, 'latency'), { fixedMs: 0, jitterMs: 0 });
      assert.equal(prop(faults, 'rate'), 0);
      assert.equal(prop(faults, 'next'), 0);
      assert.equal(prop(faults, 'hangMs'), 30000);
      const kinds = prop(faults, 'kinds');
      assert.ok(Array.isArray(kinds));
      assert.deepEqual([...kinds].sort(), [...ALL_KINDS].sort());
    });
  });

  describe('latency', () => {
    it('fixed latency delays a /v1 answer by at least fixedMs', async () => {
      await configureSandbox(t.sandbox, { latency: { fixedMs: 250, jitterMs: 0 } });
      const started = performance.now();
      const res = await rawRequest(t.sandbox, 'GET', '/v1/customers');

      assert.equal(res.status, 200);
      assert.ok(performance.now() - started >= 245, 'at least the fixed latency');
    });

    it('with jitter the delay is still at least fixedMs', async () => {
      await configureSandbox(t.sandbox, { latency: { fixedMs: 150, jitterMs: 100 } });
      const started = performance.now();
      await t.stripe.customers.list();

      assert.ok(performance.now() - started >= 145);
    });
  });

  describe('reset', () => {
    it('/_sandbox/reset deletes objects, faults, latency and counters', async () => {
      await t.stripe.customers.create({ email: 'gone@example.com' });
      await configureSandbox(t.sandbox, {
        latency: { fixedMs: 40 },
        faults: { rate: 1, next: 5, kinds: ['http_500'] },
      });
      const res = await controlRequest(t.sandbox, 'POST', 'reset', {});

      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true });
      assert.equal((await sandboxStats(t.sandbox)).total, 0);
      const config = await controlRequest(t.sandbox, 'GET', 'config');
      assert.deepEqual(prop(config.body, 'latency'), { fixedMs: 0, jitterMs: 0 });
      assert.equal(prop(prop(config.body, 'faults'), 'rate'), 0);
      assert.equal(prop(prop(config.body, 'faults'), 'next'), 0);
      assert.equal((await t.stripe.customers.list({ limit: 100 })).data.length, 0);
    });

    it('reset restores the latency and faults given at start, not the defaults', async () => {
      const options: SandboxOptions = {
        latency: { fixedMs: 5, jitterMs: 1 },
        faults: { rate: 0, kinds: ['http_503'], next: 1, hangMs: 1000 },
      };
      const other = await startSandbox({ port: 0, ...options });
      try {
        const first = await rawRequest(other, 'GET', '/v1/customers');
        assert.equal(first.status, 503, 'next from the start options applies');
        await configureSandbox(other, { latency: { fixedMs: 0 }, faults: { kinds: ['reset'] } });

        await resetSandbox(other);
        const config = await controlRequest(other, 'GET', 'config');
        assert.deepEqual(config.body, {
          latency: { fixedMs: 5, jitterMs: 1 },
          faults: { rate: 0, kinds: ['http_503'], next: 1, hangMs: 1000 },
        });
      } finally {
        await other.close();
      }
    });
  });

  describe('sandboxOptionsFromEnv', () => {
    it('without variables the port is 12111 on 127.0.0.1', () => {
      const options = sandboxOptionsFromEnv({});
      assert.equal(options.port, 12111);
      assert.equal(options.host ?? '127.0.0.1', '127.0.0.1');
      assert.equal(options.faults?.rate ?? 0, 0);
      assert.equal(options.faults?.next ?? 0, 0);
    });

    it('reads every variable', () => {
      const options = sandboxOptionsFromEnv({
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_PORT: '0',
        SANDBOX_DB_FILE: '/tmp/sandbox-test.db',
        SANDBOX_LATENCY_MS: '20',
        SANDBOX_JITTER_MS: '5',
        SANDBOX_FAULT_RATE: '0.25',
        SANDBOX_FAULT_KINDS: 'http_500,reset',
        SANDBOX_FAULT_NEXT: '3',
        SANDBOX_HANG_MS: '100',
      });
      assert.equal(options.host, '0.0.0.0');
      assert.equal(options.port, 0);
      assert.equal(options.databaseFile, '/tmp/sandbox-test.db');
      assert.equal(options.latency?.fixedMs, 20);
      assert.equal(options.latency?.jitterMs, 5);
      assert.equal(options.faults?.rate, 0.25);
      assert.deepEqual(options.faults?.kinds, ['http_500', 'reset']);
      assert.equal(options.faults?.next, 3);
      assert.equal(options.faults?.hangMs, 100);
    });

    const bad: [string, string][] = [
      ['SANDBOX_PORT', 'abc'],
      ['SANDBOX_PORT', '70000'],
      ['SANDBOX_PORT', '-1'],
      ['SANDBOX_LATENCY_MS', '-5'],
      ['SANDBOX_LATENCY_MS', 'slow'],
      ['SANDBOX_JITTER_MS', 'x'],
      ['SANDBOX_FAULT_RATE', '1.5'],
      ['SANDBOX_FAULT_RATE', 'often'],
      ['SANDBOX_FAULT_KINDS', 'http_500,boom'],
      ['SANDBOX_FAULT_NEXT', '-1'],
      ['SANDBOX_FAULT_NEXT', '1.5'],
      ['SANDBOX_HANG_MS', 'forever'],
    ];
    for (const [name, value] of bad) {
      it(`${name}=${value} throws an Error naming ${name}`, () => {
        assert.throws(
          () => sandboxOptionsFromEnv({ [name]: value }),
          (err: unknown) => err instanceof Error && err.message.includes(name),
        );
      });
    }

    it('options read from the environment take effect when the sandbox starts', async () => {
      const options = sandboxOptionsFromEnv({
        SANDBOX_PORT: '0',
        SANDBOX_FAULT_NEXT: '1',
        SANDBOX_FAULT_KINDS: 'http_503',
      });
      const other = await startSandbox(options);
      try {
        assert.equal((await rawRequest(other, 'GET', '/v1/customers')).status, 503);
        assert.equal((await rawRequest(other, 'GET', '/v1/customers')).status, 200);
      } finally {
        await other.close();
      }
    });
  });
});
