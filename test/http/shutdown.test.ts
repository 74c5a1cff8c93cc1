import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ApiProcess, freePort, startApiProcess } from '../../scripts/api-process.ts';
import { str, waitFor } from '../support/api.ts';
import {
  configureSandbox,
  sandboxStats,
  startTestSandbox,
  TEST_KEY,
  type TestSandbox,
} from '../support/sandbox.ts';

const ROOT = join(import.meta.dirname, '../..');
const SECRET = 'shutdown-test-secret-01';
/** Each Stripe call of the slow request takes this long: a charge makes two. */
const LATENCY_MS = 2_500;

describe('graceful shutdown of the running service', () => {
  let sandbox: TestSandbox;
  let dataDir: string;
  let api: ApiProcess | undefined;
  before(async () => {
    sandbox = await startTestSandbox();
    dataDir = await mkdtemp(join(tmpdir(), 'payments-shutdown-'));
  });
  after(async () => {
    await api?.stop(5_000);
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops accepting on SIGTERM, finishes the request in flight, then exits 0', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    api = await startApiProcess({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/main.ts'],
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: TEST_KEY,
        STRIPE_API_BASE: sandbox.sandbox.url,
        API_KEYS: `tests:${SECRET}`,
        LOG_LEVEL: 'warn',
      },
      host: '127.0.0.1',
      port,
      readyPath: '/readyz',
    });
    const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
    const registered = await fetch(`${api.url}/api/customer`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: 'shutdown@example.com', stripeCreditCardToken: 'tok_visa' }),
    });
    const stripeCustomerID = str(await registered.json(), 'stripeCustomerID') ?? assert.fail();
    assert.equal(registered.status, 201);

    await configureSandbox(sandbox.sandbox, { latency: { fixedMs: LATENCY_MS } });
    const retrievals = async () =>
      (await sandboxStats(sandbox.sandbox)).byRoute['GET /v1/customers/:id'] ?? 0;
    const before = await retrievals();
    const charge = fetch(`${api.url}/api/payments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ stripeCustomerID, amount: 1234 }),
    });
    // The charge has reached Stripe: it is in flight.
    await waitFor(async () => (await retrievals()) > before);

    let settled = false;
    const markSettled = () => {
      settled = true;
    };
    charge.then(markSettled, markSettled);
    const url = api.url;
    const exitCode = api.stop(60_000);
    // New work is refused (connection refused, or 503 on a kept-alive connection)...
    await waitFor(() =>
      fetch(`${url}/healthz`).then(
        (answer) => answer.status === 503,
        () => true,
      ),
    );
    // ...while the request in flight goes on to the end.
    assert.equal(settled, false);
    const res = await charge;

    assert.equal(res.status, 201, await res.text());
    assert.equal(await exitCode, 0, api.output());
    api = undefined;
    const made = await sandbox.stripe.paymentIntents.list({ customer: stripeCustomerID });
    assert.equal(made.data.length, 1);
  });
});
