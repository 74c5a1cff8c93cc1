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
 * | API_KEYS                     | (unset)       | label:secret,label2:secret2; required when       |
 * |                              |               | NODE_ENV=production; unset elsewhere: /api/* is  |
 * |                              |               | open to anyone                                   |
 * | RATE_LIMIT_MAX               | 600           | requests per window per API key (per client      |
 * |                              |               | address when open), per process                  |
 * | RATE_LIMIT_WINDOW_MS         | 60000         | the rate limit's window                          |
 * | CORS_ORIGINS                 | (unset)       | origins allowed to call from a browser, e.g.     |
 * |                              |               | https://app.example.com; unset: CORS closed      |
 * | HTTP_CONNECTION_TIMEOUT_MS   | longest       | idle socket timeout; must exceed the longest     |
 * |                              | request + 10s | request (180000 with the default Stripe settings)|
 * | HTTP_REQUEST_TIMEOUT_MS      | 60000         | to receive a whole request (headers and body)    |
 * | HTTP_HEADERS_TIMEOUT_MS      | 30000         | to receive the headers; at most the request one  |
 * | HTTP_KEEP_ALIVE_TIMEOUT_MS   | 72000         | idle keep-alive connections are closed after it  |
 * | SHUTDOWN_TIMEOUT_MS          | 25000         | on SIGTERM/SIGINT, how long requests in flight   |
 * |                              |               | may take before the process exits anyway         |
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

/** A client allowed on /api/*: its label goes into logs and scopes its idempotency keys. */
export interface ApiKey {
  label: string;
  secret: string;
}

export interface RateLimitConfig {
  /** Requests allowed per window and client. */
  max: number;
  windowMs: number;
}

/** Node's HTTP server timeouts (see buildApp for what each one bounds). */
export interface HttpTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
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
  /** Empty: open access (never in production). */
  apiKeys: ApiKey[];
  rateLimit: RateLimitConfig;
  /** Empty: CORS closed. */
  corsOrigins: string[];
  http: HttpTimeouts;
  shutdownTimeoutMs: number;
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
type Read = (name: string) => string | undefined;

/**
 * Reads and checks every variable.
 *
 * @throws ConfigError naming the first variable with an unusable value.
 */
export function loadConfig(env: Env): Config {
  const read: Read = (name) => {
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

  const stripe = {
    stripeTimeoutMs: integer(read, 'STRIPE_TIMEOUT_MS', 20_000, 1_000, 120_000),
    stripeMaxNetworkRetries: integer(read, 'STRIPE_MAX_NETWORK_RETRIES', 2, 0, 5),
  };
  const config: Config = {
    host: read('HOST') ?? '127.0.0.1',
    port: integer(read, 'PORT', 3000, 0, 65_535),
    nodeEnv,
    stripeSecretKey,
    stripeApiBase: apiBase === undefined ? null : parseApiBase(apiBase),
    ...stripe,
    databaseUrl,
    dataDir: read('DATA_DIR') ?? './data',
    logLevel,
    sweepIntervalMs: integer(read, 'SWEEP_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    pendingAttemptGraceMs: integer(read, 'PENDING_ATTEMPT_GRACE_MS', 900_000, 1_000, 86_400_000),
    ...readProtection(read, nodeEnv, leaseMsFor(stripe)),
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

/** The part of the configuration that protects the HTTP surface. */
function readProtection(
  read: Read,
  nodeEnv: string,
  lease: number,
): Pick<Config, 'apiKeys' | 'rateLimit' | 'corsOrigins' | 'http' | 'shutdownTimeoutMs'> {
  const apiKeys = parseApiKeys(read('API_KEYS'));
  if (apiKeys.length === 0 && nodeEnv === 'production') {
    throw new ConfigError(
      'API_KEYS',
      'is required when NODE_ENV=production (label:secret pairs, comma-separated)',
    );
  }

  // An idle socket is closed after the connection timeout, even while its request waits on
  // Stripe, so it must outlast the longest request. The request timeout only bounds receiving
  // the request (Node stops it once the body is in), so it can stay short.
  const connectionTimeoutMs = integer(
    read,
    'HTTP_CONNECTION_TIMEOUT_MS',
    lease + 10_000,
    1_000,
    3_600_000,
  );
  if (connectionTimeoutMs <= lease) {
    throw new ConfigError(
      'HTTP_CONNECTION_TIMEOUT_MS',
      `must be longer than the longest request (${lease} ms with these Stripe settings)`,
    );
  }
  const requestTimeoutMs = integer(read, 'HTTP_REQUEST_TIMEOUT_MS', 60_000, 1_000, 3_600_000);
  const headersTimeoutMs = integer(read, 'HTTP_HEADERS_TIMEOUT_MS', 30_000, 1_000, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      'HTTP_HEADERS_TIMEOUT_MS',
      `must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }

  return {
    apiKeys,
    rateLimit: {
      max: integer(read, 'RATE_LIMIT_MAX', 600, 1, 1_000_000),
      windowMs: integer(read, 'RATE_LIMIT_WINDOW_MS', 60_000, 1_000, 86_400_000),
    },
    corsOrigins: parseOrigins(read('CORS_ORIGINS')),
    http: {
      connectionTimeoutMs,
      requestTimeoutMs,
      headersTimeoutMs,
      keepAliveTimeoutMs: integer(read, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 1_000, 3_600_000),
    },
    shutdownTimeoutMs: integer(read, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1_000, 3_600_000),
  };
}

const LABEL_FORMAT = /^[A-Za-z0-9_-]{1,64}$/;
/** RFC 6750's token68 characters: a secret that travels in a Bearer header unchanged. */
const SECRET_FORMAT = /^[A-Za-z0-9\-._~+/]{16,256}=*$/;

/** `label:secret,label2:secret2`. Messages name an entry by position or label, never its secret. */
function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (raw === undefined) return [];
  const keys: ApiKey[] = [];
  for (const [index, entry] of raw.split(',').entries()) {
    const colon = entry.indexOf(':');
    const label = entry.slice(0, colon).trim();
    const secret = entry.slice(colon + 1).trim();
    if (colon < 0 || !LABEL_FORMAT.test(label)) {
      throw new ConfigError(
        'API_KEYS',
        `entry ${index + 1} must be label:secret with a label of 1 to 64 letters, digits, _ or -`,
      );
    }
    if (!SECRET_FORMAT.test(secret)) {
      throw new ConfigError(
        'API_KEYS',
        `the secret of "${label}" must be 16 to 256 characters: letters, digits and -._~+/`,
      );
    }
    if (keys.some((key) => key.label === label)) {
      throw new ConfigError('API_KEYS', `the label "${label}" is used twice`);
    }
    if (keys.some((key) => key.secret === secret)) {
      throw new ConfigError('API_KEYS', `the secret of "${label}" is used twice`);
    }
    keys.push({ label, secret });
  }
  return keys;
}

/** A comma-separated allow-list of exact origins (scheme, host, port; no path, no wildcard). */
function parseOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let url: URL | null = null;
    try {
      url = new URL(origin);
    } catch {
      // Reported below with the other malformed values.
    }
    const web = url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
    if (url === null || !web || url.origin !== origin) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must list origins like https://app.example.com (no path, no wildcard), got "${origin}"`,
      );
    }
    return origin;
  });
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

function integer(read: Read, name: string, fallback: number, min: number, max: number): number {
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
