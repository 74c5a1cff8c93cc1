/**
 * `npm run token -- <card number | test token name>`: prints a card token id (one line, `tok_...`)
 * from the Stripe the service is configured for, read from the same variables as `npm start`:
 *
 * - STRIPE_SECRET_KEY set: that Stripe (test mode; STRIPE_API_BASE if set, else api.stripe.com).
 * - unset: the sandbox `npm start` embeds, started here in-process on the same
 *   `DATA_DIR/sandbox.sqlite`, so the token is known to an API started on that DATA_DIR, running
 *   or not. Both processes may use the file at once: SQLite (WAL) serializes their writes.
 *
 * Exit codes: 0 printed; 2 bad argument or refused by Stripe (one line on stderr); 1 anything
 * else (configuration, Stripe unreachable).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import { startSandbox } from '../src/sandbox/index.ts';
import { createStripeClient } from '../src/stripe/client.ts';
import { BadInputError, fetchToken, parseTokenRequest, type TokenApi } from './token-request.ts';

/** The key the embedded sandbox is called with, as `npm start` does. */
const SANDBOX_KEY = 'sk_test_sandbox';

interface Tokens {
  tokens: TokenApi;
  close(): Promise<void>;
}

/** A Stripe client for the configured backend, starting the file-backed sandbox when needed. */
async function openTokens(config: Config): Promise<Tokens> {
  const options = {
    timeoutMs: config.stripeTimeoutMs,
    maxNetworkRetries: config.stripeMaxNetworkRetries,
  };
  if (config.stripeSecretKey !== null) {
    // Live mode would tokenize a real card from a command line, which no one should do.
    if (/^(sk|rk)_live_/.test(config.stripeSecretKey)) {
      throw new ConfigError('STRIPE_SECRET_KEY', 'is a live key: npm run token is for test mode');
    }
    const stripe = createStripeClient({
      ...options,
      secretKey: config.stripeSecretKey,
      apiBase: config.stripeApiBase,
    });
    return { tokens: stripe.tokens, close: async () => {} };
  }

  await mkdir(config.dataDir, { recursive: true });
  const sandbox = await startSandbox({
    port: 0,
    databaseFile: join(config.dataDir, 'sandbox.sqlite'),
  });
  const stripe = createStripeClient({
    ...options,
    secretKey: SANDBOX_KEY,
    apiBase: { protocol: 'http', host: sandbox.host, port: sandbox.port },
  });
  return { tokens: stripe.tokens, close: () => sandbox.close() };
}

async function main(args: readonly string[]): Promise<number> {
  let opened: Tokens | undefined;
  try {
    const request = parseTokenRequest(args);
    opened = await openTokens(loadConfig(process.env));
    const id = await fetchToken(opened.tokens, request, new Date());
    process.stdout.write(`${id}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BadInputError) {
      console.error(`npm run token: ${error.message}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`npm run token: could not get a token from Stripe: ${message}`);
    return 1;
  } finally {
    await opened?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
