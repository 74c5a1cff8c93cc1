import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sandboxOptionsFromEnv, startSandbox } from '../../src/sandbox/index.ts';
import {
  controlRequest,
  errorOf,
  prop,
  rawRequest,
  resetSandbox,
  sandboxStats,
  startTestSandbox,
  type TestSandbox,
} from '../support/sandbox.ts';

const START = {
  latency: { fixedMs: 0, jitterMs: 0 },
  faults: { rate: 0, kinds: ['http_503'], next: 0, hangMs: 1000 },
};

/** The private `/_sandbox` endpoints, configuration from the environment, and `npm run sandbox`. */
describe('sandbox control', () => {
  let t: TestSandbox;

  before(async () => {
    t = await startTestSandbox({ faults: { kinds: ['http_503'], hangMs: 1000 } });
  });
  after(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await resetSandbox(t.sandbox);
  });

  describe('GET and POST /_sandbox/config', () => {
    it('answers the configuration given at start', async () => {
      const res = await controlRequest(t.sandbox, 'GET', 'config');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, START);
    });

    it('merges a partial update and answers the whole new configuration', async () => {
      const res = await controlRequest(t.sandbox, 'POST', 'config', {
        latency: { jitterMs: 5 },
        faults: { next: 2 },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        latency: { fixedMs: 0, jitterMs: 5 },
        faults: { ...START.faults, next: 2 },
      });
      assert.deepEqual((await controlRequest(t.sandbox, 'GET', 'config')).body, res.body);
    });

    const bad = [
      { title: 'a rate above 1', body: { faults: { rate: 2 } } },
      { title: 'a negative latency', body: { latency: { fixedMs: -1 } } },
      { title: 'an unknown fault kind', body: { faults: { kinds: ['http_418'] } } },
      { title: 'a fractional next', body: { faults: { next: 1.5 } } },
      { title: 'an unknown setting', body: { latency: { slowMs: 1 } } },
    ];
    for (const { title, body } of bad) {
      it(`refuses ${title} with 400 and keeps the configuration`, async () => {
        const res = await controlRequest(t.sandbox, 'POST', 'config', body);
        assert.equal(res.status, 400);
        assert.equal(errorOf(res.body).type, 'invalid_request_error');
        assert.equal(typeof errorOf(res.body).message, 'string');
        assert.deepEqual((await controlRequest(t.sandbox, 'GET', 'config')).body, START);
      });
    }

    it('refuses a body that is not JSON', async () => {
      const res = await rawRequest(t.sandbox, 'POST', '/_sandbox/config', {
        key: null,
        body: '{"latency":',
        contentType: 'application/json',
      });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res.body).type, 'invalid_request_error');
    });
  });

  describe('POST /_sandbox/reset', () => {
    it('deletes every object and restores the configuration given at start', async () => {
      const customer = await t.stripe.customers.create({ email: 'reset@example.com' });
      await controlRequest(t.sandbox, 'POST', 'config', { latency: { fixedMs: 1 } });

      const res = await controlRequest(t.sandbox, 'POST', 'reset');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ok: true });

      assert.equal((await t.stripe.customers.list()).data.length, 0);
      const gone = await rawRequest(t.sandbox, 'GET', `/v1/customers/${customer.id}`);
      assert.equal(gone.status, 404);
      assert.deepEqual((await controlRequest(t.sandbox, 'GET', 'config')).body, START);
    });

    it('forgets idempotency records', async () => {
      const first = await t.stripe.customers.create({}, { idempotencyKey: 'reset-key' });
      await controlRequest(t.sandbox, 'POST', 'reset');
      const second = await t.stripe.customers.create({}, { idempotencyKey: 'reset-key' });
      assert.notEqual(second.id, first.id);
    });
  });

  describe('GET /_sandbox/stats', () => {
    it('counts /v1 requests by route pattern, faulted and unknown ones included', async () => {
      const customer = await t.stripe.customers.create({});
      await t.stripe.customers.retrieve(customer.id);
      await t.stripe.customers.retrieve(customer.id);
      await rawRequest(t.sandbox, 'GET', '/v1/nothing_here');
      await controlRequest(t.sandbox, 'POST', 'config', { faults: { next: 1 } });
      const faulted = await rawRequest(t.sandbox, 'GET', '/v1/customers');
      assert.equal(faulted.status, 503);

      const stats = await sandboxStats(t.sandbox);
      assert.equal(stats.total, 5);
      assert.deepEqual(stats.byRoute, {
        'POST /v1/customers': 1,
        'GET /v1/customers/:id': 2,
        'GET (unmatched)': 1,
        'GET /v1/customers': 1,
      });
    });

    it('starts from zero after a reset', async () => {
      await t.stripe.customers.create({});
      await controlRequest(t.sandbox, 'POST', 'reset');
      assert.deepEqual(await sandboxStats(t.sandbox), { total: 0, byRoute: {} });
    });
  });

  describe('the control endpoints themselves', () => {
    it('need no API key and are never faulted', async () => {
      await controlRequest(t.sandbox, 'POST', 'config', { faults: { rate: 1, next: 3 } });

      for (let i = 0; i < 4; i++) {
        const res = await controlRequest(t.sandbox, 'GET', 'config');
        assert.equal(res.status, 200);
      }
      assert.equal((await rawRequest(t.sandbox, 'GET', '/v1/customers')).status, 503);
    });

    it('answer 404 for an unknown control path', async () => {
      const res = await controlRequest(t.sandbox, 'GET', 'nothing');
      assert.equal(res.status, 404);
      assert.equal(errorOf(res.body).type, 'invalid_request_error');
      assert.match(String(res.headers.get('request-id')), /^req_/);
    });
  });

  describe('startSandbox', () => {
    it('rejects bad options before listening', async () => {
      await assert.rejects(startSandbox({ port: 0, faults: { rate: 1.5 } }), /faults\.rate/);
    });
  });

  describe('sandboxOptionsFromEnv', () => {
    it('defaults to 127.0.0.1:12111, in memory, without latency or faults', () => {
      const options = sandboxOptionsFromEnv({});
      assert.equal(options.host, '127.0.0.1');
      assert.equal(options.port, 12111);
      assert.equal(options.databaseFile, undefined);
      assert.equal(options.log, false);
    });

    it('reads every variable', () => {
      const options = sandboxOptionsFromEnv({
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_PORT: '4000',
        SANDBOX_DB_FILE: '/tmp/sandbox.db',
        SANDBOX_LATENCY_MS: '25',
        SANDBOX_JITTER_MS: '10.5',
        SANDBOX_FAULT_RATE: '0.1',
        SANDBOX_FAULT_KINDS: 'http_500, reset',
        SANDBOX_FAULT_NEXT: '3',
        SANDBOX_HANG_MS: '500',
        SANDBOX_LOG: 'true',
      });
      assert.deepEqual(options, {
        host: '0.0.0.0',
        port: 4000,
        databaseFile: '/tmp/sandbox.db',
        latency: { fixedMs: 25, jitterMs: 10.5 },
        faults: { rate: 0.1, kinds: ['http_500', 'reset'], next: 3, hangMs: 500 },
        log: true,
      });
    });

    const bad: [string, string][] = [
      ['SANDBOX_PORT', 'abc'],
      ['SANDBOX_PORT', '70000'],
      ['SANDBOX_LATENCY_MS', '-5'],
      ['SANDBOX_FAULT_RATE', '1.5'],
      ['SANDBOX_FAULT_KINDS', 'http_500,teapot'],
      ['SANDBOX_FAULT_NEXT', '2.5'],
      ['SANDBOX_HANG_MS', 'forever'],
      ['SANDBOX_LOG', 'yes'],
    ];
    for (const [name, value] of bad) {
      it(`throws an error naming ${name} for ${JSON.stringify(value)}`, () => {
        assert.throws(
          () => sandboxOptionsFromEnv({ [name]: value }),
          (error: Error) => error.message.includes(name),
        );
      });
    }
  });

  describe('npm run sandbox (src/sandbox/main.ts)', () => {
    it('prints its URL and how to point the SDK at it, serves, and exits 0 on SIGTERM', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
        env: { ...process.env, SANDBOX_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout.on('data', (chunk: string) => {
            output += chunk;
            const match = /listening on (http:\/\/\S+)/.exec(output);
            if (match?.[1] && output.includes('protocol')) resolve(match[1]);
          });
          child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
        });

        assert.match(output, /new Stripe\('sk_test_sandbox', \{ host: '127\.0\.0\.1', port: \d+/);
        const res = await fetch(`${url}/v1/customers`, {
          headers: { Authorization: 'Bearer sk_test_sandbox' },
        });
        assert.equal(res.status, 200);
        assert.equal(prop(await res.json(), 'object'), 'list');

        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });
});
