/**
 * The service's configuration, read from the environment once at start-up and validated as a
 * whole; nothing else reads `process.env`. An empty variable counts as unset.
 *
 * | Variable                     | Default       | Meaning                                          |
 * |------------------------------|---------------|--------------------------------------------------|
 * | HOST                         | 127.0.0.1     | interface to listen on                           |
 * | PORT                         | 3000          | port to listen on (0: any free port)             |
 * | NODE_ENV                     | development   | `production` requires STRIPE_SECRET_KEY          |
 * | STRIPE_SECRET_KEY            | (unset)       | sk_test_/sk_live_/rk_test_/rk_live_; unset: the  |
 * |                              |               | embedded sandbox is started and used             |
 * | STRIPE_API_BASE              | (Stripe)      | http(s)://host:port of a Stripe-compatible server|
 * | DATABASE_URL                 | (unset)       | postgres://... selects PostgreSQL for the ledger |
 * | DATA_DIR                     | ./data        | ledger.sqlite and the sandbox's sandbox.sqlite   |
 * | LOG_LEVEL                    | info          | fatal, error, warn, info, debug, trace, silent   |
 * | STRIPE_TIMEOUT_MS            | 20000         | per Stripe request attempt, 1000..120000         |
 * | STRIPE_MAX_NETWORK_RETRIES   | 2             | SDK retries (same idempotency key), 0..5         |
 * | SWEEP_INTERVAL_MS            | 60000         | how often pending attempts are resolved          |
 * | PENDING_ATTEMPT_GRACE_MS     | 900000        | a pending attempt with no PaymentIntent after    |
 * |                              |               | this long is marked failed                       |
 */

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ApiBaseConfig {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

export interface Config {
  host: string;
  port: number;
  nodeEnv: string;
  /** null: start the embedded sandbox and use it. */
  stripeSecretKey: string | null;
  /** null: the SDK's default, api.stripe.com. */
  stripeApiBase: ApiBaseConfig | null;
  stripeTimeoutMs: number;
  stripeMaxNetworkRetries: number;
  /** null: the SQLite file under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  logLevel: LogLevel;
  sweepIntervalMs: number;
  pendingAttemptGraceMs: number;
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const KEY_FORMAT = /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks every variable.
 *
 * @throws ConfigError naming the first variable with an unusable value.
 */
export function loadConfig(env: Env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  const stripeSecretKey = read('STRIPE_SECRET_KEY') ?? null;
  if (stripeSecretKey !== null && !KEY_FORMAT.test(stripeSecretKey)) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      'must be a Stripe secret or restricted key (sk_test_, sk_live_, rk_test_ or rk_live_)',
    );
  }
  if (stripeSecretKey === null && nodeEnv === 'production') {
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      'is required when NODE_ENV=production (the embedded sandbox is for development only)',
    );
  }

  const apiBase = read('STRIPE_API_BASE');
  if (apiBase !== undefined && stripeSecretKey === null) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY',
      'is required with STRIPE_API_BASE (a standalone sandbox accepts sk_test_sandbox)',
    );
  }

  const databaseUrl = read('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!isLogLevel(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const config: Config = {
    host: read('HOST') ?? '127.0.0.1',
    port: integer(read, 'PORT', 3000, 0, 65_535),
    nodeEnv,
    stripeSecretKey,
    stripeApiBase: apiBase === undefined ? null : parseApiBase(apiBase),
    stripeTimeoutMs: integer(read, 'STRIPE_TIMEOUT_MS', 20_000, 1_000, 120_000),
    stripeMaxNetworkRetries: integer(read, 'STRIPE_MAX_NETWORK_RETRIES', 2, 0, 5),
    databaseUrl,
    dataDir: read('DATA_DIR') ?? './data',
    logLevel,
    sweepIntervalMs: integer(read, 'SWEEP_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    pendingAttemptGraceMs: integer(read, 'PENDING_ATTEMPT_GRACE_MS', 900_000, 1_000, 86_400_000),
  };

  // The grace period starts after the lease: before that the request may still be running.
  if (config.pendingAttemptGraceMs <= leaseMsFor(config)) {
    throw new ConfigError(
      'PENDING_ATTEMPT_GRACE_MS',
      `must be longer than the longest request (${leaseMsFor(config)} ms with these Stripe settings)`,
    );
  }
  return config;
}

/**
 * How long a request may run at most: two Stripe calls, each with every retry timing out, plus
 * the SDK's backoff (at most 5 s per retry) and a margin. Idempotency leases last this long, and
 * the sweeper leaves younger attempts alone.
 */
export function leaseMsFor(config: Pick<Config, 'stripeTimeoutMs' | 'stripeMaxNetworkRetries'>) {
  const attempts = config.stripeMaxNetworkRetries + 1;
  const perCall = config.stripeTimeoutMs * attempts + 5_000 * config.stripeMaxNetworkRetries;
  return 2 * perCall + 30_000;
}

function integer(
  read: (name: string) => string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = read(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseApiBase(raw: string): ApiBaseConfig {
  const problem = 'must look like http://host:port or https://host:port, with no path';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('STRIPE_API_BASE', problem);
  }
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null;
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  if (protocol === null || !bare || url.username !== '' || url.password !== '') {
    throw new ConfigError('STRIPE_API_BASE', problem);
  }
  const port = url.port === '' ? (protocol === 'http' ? 80 : 443) : Number(url.port);
  // URL keeps IPv6 hosts in brackets; the SDK wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol, host, port };
}

function isLogLevel(value: string): value is LogLevel {
  return LOG_LEVELS.some((level) => level === value);
}
