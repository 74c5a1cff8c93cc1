import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, leaseMsFor, loadConfig } from '../src/config.ts';

function rejects(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (error) => error instanceof ConfigError && error.variable === variable,
  );
}

describe('loadConfig', () => {
  it('answers the documented defaults for an empty environment', () => {
    const config = loadConfig({});

    assert.deepEqual(config, {
      host: '127.0.0.1',
      port: 3000,
      nodeEnv: 'development',
      stripeSecretKey: null,
      stripeApiBase: null,
      stripeTimeoutMs: 20_000,
      stripeMaxNetworkRetries: 2,
      databaseUrl: null,
      dataDir: './data',
      logLevel: 'info',
      sweepIntervalMs: 60_000,
      pendingAttemptGraceMs: 900_000,
      apiKeys: [],
      rateLimit: { max: 600, windowMs: 60_000 },
      corsOrigins: [],
      http: {
        connectionTimeoutMs: leaseMsFor(config) + 10_000,
        requestTimeoutMs: 60_000,
        headersTimeoutMs: 30_000,
        keepAliveTimeoutMs: 72_000,
      },
      shutdownTimeoutMs: 25_000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      NODE_ENV: 'production',
      STRIPE_SECRET_KEY: 'rk_live_abc',
      STRIPE_API_BASE: 'http://localhost:12111',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      DATA_DIR: '/var/lib/payments',
      LOG_LEVEL: 'debug',
      STRIPE_TIMEOUT_MS: '5000',
      STRIPE_MAX_NETWORK_RETRIES: '0',
      SWEEP_INTERVAL_MS: '10000',
      PENDING_ATTEMPT_GRACE_MS: '600000',
      API_KEYS: 'shop:0123456789abcdef, mobile-app_2:ZmVkY2JhOTg3NjU0MzIxMA==',
      RATE_LIMIT_MAX: '100',
      RATE_LIMIT_WINDOW_MS: '10000',
      CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173',
      HTTP_CONNECTION_TIMEOUT_MS: '300000',
      HTTP_REQUEST_TIMEOUT_MS: '20000',
      HTTP_HEADERS_TIMEOUT_MS: '10000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });

    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 8080);
    assert.equal(config.stripeSecretKey, 'rk_live_abc');
    assert.deepEqual(config.stripeApiBase, { protocol: 'http', host: 'localhost', port: 12111 });
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(config.dataDir, '/var/lib/payments');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.stripeTimeoutMs, 5000);
    assert.equal(config.stripeMaxNetworkRetries, 0);
    assert.equal(config.sweepIntervalMs, 10_000);
    assert.equal(config.pendingAttemptGraceMs, 600_000);
    assert.deepEqual(config.apiKeys, [
      { label: 'shop', secret: '0123456789abcdef' },
      { label: 'mobile-app_2', secret: 'ZmVkY2JhOTg3NjU0MzIxMA==' },
    ]);
    assert.deepEqual(config.rateLimit, { max: 100, windowMs: 10_000 });
    assert.deepEqual(config.corsOrigins, ['https://shop.example.com', 'http://localhost:5173']);
    assert.deepEqual(config.http, {
      connectionTimeoutMs: 300_000,
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
    });
    assert.equal(config.shutdownTimeoutMs, 5000);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '', STRIPE_SECRET_KEY: ' ' }).port, 3000);
  });

  it('defaults the port of an https API base to 443', () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_API_BASE: 'https://h.test',
    });
    assert.deepEqual(config.stripeApiBase, { protocol: 'https', host: 'h.test', port: 443 });
  });

  it('refuses to start in production without a Stripe key', () => {
    rejects({ NODE_ENV: 'production' }, 'STRIPE_SECRET_KEY');
  });

  it('refuses a value that is not a Stripe secret or restricted key', () => {
    for (const key of ['pk_test_abc', 'sk_abc', 'whsec_abc', 'sk_test_']) {
      rejects({ STRIPE_SECRET_KEY: key }, 'STRIPE_SECRET_KEY');
    }
  });

  it('does not repeat a refused key in its message', () => {
    assert.throws(
      () => loadConfig({ STRIPE_SECRET_KEY: 'pk_live_secretish' }),
      (error: Error) => {
        return !error.message.includes('secretish');
      },
    );
  });

  it('refuses an API base that is not http(s)://host:port', () => {
    for (const base of ['localhost:12111', 'ftp://h:1', 'http://h:1/v1', 'http://u:p@h:1', 'x']) {
      rejects({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: base }, 'STRIPE_API_BASE');
    }
  });

  it('asks for a key when an API base is given without one', () => {
    rejects({ STRIPE_API_BASE: 'http://127.0.0.1:12111' }, 'STRIPE_SECRET_KEY');
  });

  it('refuses a database URL that is not PostgreSQL', () => {
    rejects({ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
  });

  it('refuses numbers that are not whole or out of range, naming the variable', () => {
    rejects({ PORT: 'abc' }, 'PORT');
    rejects({ PORT: '70000' }, 'PORT');
    rejects({ PORT: '-1' }, 'PORT');
    rejects({ PORT: '80.5' }, 'PORT');
    rejects({ STRIPE_TIMEOUT_MS: '10' }, 'STRIPE_TIMEOUT_MS');
    rejects({ STRIPE_MAX_NETWORK_RETRIES: '9' }, 'STRIPE_MAX_NETWORK_RETRIES');
    rejects({ SWEEP_INTERVAL_MS: '1e4' }, 'SWEEP_INTERVAL_MS');
  });

  it('refuses an unknown log level', () => {
    rejects({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
  });

  it('refuses a grace period shorter than the longest request', () => {
    rejects({ PENDING_ATTEMPT_GRACE_MS: '60000' }, 'PENDING_ATTEMPT_GRACE_MS');
  });
});

describe('loadConfig: protection', () => {
  const SECRET = '0123456789abcdef';

  it('refuses to start in production without API keys', () => {
    rejects({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_test_x' }, 'API_KEYS');
  });

  it('starts in production with API keys', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      STRIPE_SECRET_KEY: 'sk_test_x',
      API_KEYS: `shop:${SECRET}`,
    });
    assert.deepEqual(config.apiKeys, [{ label: 'shop', secret: SECRET }]);
  });

  it('refuses malformed API keys, naming API_KEYS', () => {
    for (const value of [
      'no-colon',
      `:${SECRET}`,
      `bad label:${SECRET}`,
      `bad.label:${SECRET}`,
      'short:0123456789abcde',
      'spaced:0123456789 abcdef',
      `a:${SECRET},a:${SECRET}x`,
      `a:${SECRET},b:${SECRET}`,
      `a:${SECRET},`,
    ]) {
      rejects({ API_KEYS: value }, 'API_KEYS');
    }
  });

  it('never repeats a secret in its message', () => {
    for (const value of ['shop:short-secret', `a:${SECRET},b:${SECRET}`]) {
      assert.throws(
        () => loadConfig({ API_KEYS: value }),
        (error: Error) =>
          !error.message.includes('short-secret') && !error.message.includes(SECRET),
      );
    }
  });

  it('refuses CORS origins that are not bare origins', () => {
    for (const value of ['*', 'shop.example.com', 'https://shop.example.com/', 'ftp://x.example']) {
      rejects({ CORS_ORIGINS: value }, 'CORS_ORIGINS');
    }
  });

  it('refuses rate limits and timeouts out of range', () => {
    rejects({ RATE_LIMIT_MAX: '0' }, 'RATE_LIMIT_MAX');
    rejects({ RATE_LIMIT_WINDOW_MS: '10' }, 'RATE_LIMIT_WINDOW_MS');
    rejects({ SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS');
    rejects({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '0' }, 'HTTP_KEEP_ALIVE_TIMEOUT_MS');
  });

  it('refuses a connection timeout that would cut the longest request short', () => {
    rejects({ HTTP_CONNECTION_TIMEOUT_MS: '60000' }, 'HTTP_CONNECTION_TIMEOUT_MS');
  });

  it('raises the default connection timeout with the Stripe settings', () => {
    const config = loadConfig({ STRIPE_TIMEOUT_MS: '60000' });
    assert.ok(config.http.connectionTimeoutMs > leaseMsFor(config));
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    rejects(
      { HTTP_REQUEST_TIMEOUT_MS: '10000', HTTP_HEADERS_TIMEOUT_MS: '20000' },
      'HTTP_HEADERS_TIMEOUT_MS',
    );
  });
});

describe('leaseMsFor', () => {
  it('covers two Stripe calls with every retry timing out', () => {
    const lease = leaseMsFor({ stripeTimeoutMs: 20_000, stripeMaxNetworkRetries: 2 });
    assert.ok(lease > 2 * 3 * 20_000);
  });
});
