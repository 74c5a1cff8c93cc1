import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startService } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { createStripeClient } from '../../src/stripe/client.ts';
import { prop } from '../support/sandbox.ts';

const SCRIPT = join(import.meta.dirname, '../../scripts/token.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/token.ts` as `npm run token` does, with only the given service variables. */
function runToken(args: string[], env: Record<string, string>): Promise<Run> {
  const clean = { ...process.env };
  for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_API_BASE', 'DATABASE_URL', 'NODE_ENV']) {
    delete clean[name];
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT, ...args],
      { env: { ...clean, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A failed run: nothing on stdout, exactly one line on stderr. */
function assertOneLineError(run: Run, code: number): void {
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^npm run token: [^\n]+\n$/);
}

describe('npm run token', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'token-test-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('with no STRIPE_SECRET_KEY (the embedded sandbox on DATA_DIR)', () => {
    it('prints the test token itself for a name, with or without the tok_ prefix', async () => {
      for (const [arg, expected] of [
        ['visa', 'tok_visa\n'],
        ['tok_visa', 'tok_visa\n'],
        ['chargeCustomerFail', 'tok_chargeCustomerFail\n'],
      ]) {
        const run = await runToken([arg ?? ''], { DATA_DIR: dataDir });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, expected);
      }
    });

    it('prints a fresh token for a card number written with spaces', async () => {
      const first = await runToken(['4242 4242 4242 4242'], { DATA_DIR: dataDir });
      const second = await runToken(['4242-4242-4242-4242'], { DATA_DIR: dataDir });

      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^tok_[A-Za-z0-9]+\n$/);
      assert.match(second.stdout, /^tok_[A-Za-z0-9]+\n$/);
      assert.notEqual(first.stdout, second.stdout);
    });

    it('exits 2 with one line for a missing, extra or malformed argument', async () => {
      for (const args of [
        [],
        ['visa', 'amex'],
        ['not a token!'],
        [''],
        ['4242'],
        ['1'.repeat(20)],
      ]) {
        assertOneLineError(await runToken(args, { DATA_DIR: dataDir }), 2);
      }
    });

    it('exits 2 naming the token when no test token has that name', async () => {
      const run = await runToken(['tok_noSuchCard'], { DATA_DIR: dataDir });

      assertOneLineError(run, 2);
      assert.match(run.stderr, /tok_noSuchCard/);
    });

    it('exits 2 with Stripe message when the card number fails the Luhn check', async () => {
      const run = await runToken(['4242424242424241'], { DATA_DIR: dataDir });

      assertOneLineError(run, 2);
      assert.match(run.stderr, /card number is incorrect/);
    });
  });

  describe('while the API runs on the same DATA_DIR', () => {
    let sharedDir: string;
    let service: Awaited<ReturnType<typeof startService>>;

    before(async () => {
      sharedDir = await mkdtemp(join(tmpdir(), 'token-shared-'));
      const config = loadConfig({ DATA_DIR: sharedDir, PORT: '0', LOG_LEVEL: 'silent' });
      service = await startService(config, pino({ level: 'silent' }));
    });
    after(async () => {
      await service.close();
      await rm(sharedDir, { recursive: true, force: true });
    });

    const register = (token: string, email: string) =>
      fetch(`${service.url}/api/customer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, stripeCreditCardToken: token }),
      });

    it('mints a token the running API accepts once, then refuses as spent', async () => {
      const run = await runToken(['4000 0000 0000 0341'], { DATA_DIR: sharedDir });
      assert.equal(run.code, 0, run.stderr);
      const token = run.stdout.trim();

      const created = await register(token, 'shared-file@example.com');
      assert.equal(created.status, 201, await created.clone().text());
      assert.match(String(prop(await created.json(), 'stripeCustomerID')), /^cus_/);

      const again = await register(token, 'shared-file-2@example.com');
      assert.equal(again.status, 400);
      assert.equal(prop(await again.json(), 'code'), 'token_already_used');
    });
  });

  describe('with STRIPE_SECRET_KEY and STRIPE_API_BASE', () => {
    let sandbox: Sandbox;

    before(async () => {
      sandbox = await startSandbox({ port: 0 });
    });
    after(async () => {
      await sandbox.close();
    });

    it('mints the token on that server, expiring in December of next year', async () => {
      const run = await runToken(['5555555555554444'], {
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: 'sk_test_sandbox',
        STRIPE_API_BASE: sandbox.url,
      });
      assert.equal(run.code, 0, run.stderr);

      const stripe = createStripeClient({
        secretKey: 'sk_test_sandbox',
        apiBase: { protocol: 'http', host: sandbox.host, port: sandbox.port },
        timeoutMs: 10_000,
        maxNetworkRetries: 0,
      });
      const token = await stripe.tokens.retrieve(run.stdout.trim());
      assert.equal(token.used, false);
      assert.equal(token.card?.last4, '4444');
      assert.equal(token.card?.exp_month, 12);
      assert.equal(token.card?.exp_year, new Date().getUTCFullYear() + 1);
    });

    it('exits 1 naming the variable when the key is a live key', async () => {
      const run = await runToken(['visa'], {
        DATA_DIR: dataDir,
        STRIPE_SECRET_KEY: 'sk_live_sandbox',
        STRIPE_API_BASE: sandbox.url,
      });

      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^Configuration error: STRIPE_SECRET_KEY [^\n]+\n$/);
    });
  });
});
