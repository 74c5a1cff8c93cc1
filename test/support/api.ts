import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pg from 'pg';
import type Stripe from 'stripe';
import { type AppDeps, buildApp } from '../../src/http/app.ts';
import { createLedger } from '../../src/ledger/index.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { createReadiness, type Readiness } from '../../src/observability/readiness.ts';
import { contextualLogger } from '../../src/observability/request-context.ts';
import { DEFAULT_SETTINGS, type PaymentsDeps } from '../../src/payments/deps.ts';
import type { Ledger } from '../../src/payments/ledger.ts';
import { instrumentPayments } from '../../src/payments/metrics.ts';
import { createPaymentsService, type PaymentsService } from '../../src/payments/service.ts';
import type { StripePort } from '../../src/payments/stripe-port.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { createStripeClient } from '../../src/stripe/client.ts';
import { StripeGateway } from '../../src/stripe/gateway.ts';
import { ManualClock } from './clock.ts';
import { MemoryLogger } from './domain.ts';
import {
  isRecord,
  type SandboxStats,
  sandboxStats,
  startTestSandbox,
  TEST_KEY,
} from './sandbox.ts';

/**
 * End-to-end harness: a sandbox, a real ledger (SQLite in a temporary file, or PostgreSQL in a
 * schema of its own when DATABASE_URL is set), the real SDK and gateway, the domain and the
 * Fastify app listening on a free port. Tests talk to it over real HTTP.
 */

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON; undefined when the body is not JSON. */
  body: unknown;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent exactly as given, with `contentType` (default application/json). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  url: string;
  sandbox: Sandbox;
  /** An SDK client talking to the sandbox directly, as another system would. */
  stripe: Stripe;
  ledger: Ledger;
  clock: ManualClock;
  logger: MemoryLogger;
  deps: PaymentsDeps;
  payments: PaymentsService;
  app: FastifyInstance;
  /** The service's metrics (what GET /metrics serves). */
  metrics: Metrics;
  /** Behind GET /readyz; its cache follows `clock`. */
  readiness: Readiness;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** The sandbox's /v1 request counters. */
  stats(): Promise<SandboxStats>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Share a sandbox started elsewhere (it is then not closed here). */
  sandbox?: Sandbox;
  /** The key the API calls Stripe with. */
  stripeKey?: string;
  /** Per Stripe request; small values make timeout tests quick. */
  stripeTimeoutMs?: number;
  maxNetworkRetries?: number;
  /** Wraps the gateway, e.g. to simulate a crash after a Stripe call. */
  wrapGateway?: (gateway: StripePort) => StripePort;
  /** A pino logger for the app, the domain and the gateway; absent: lines kept in `logger`. */
  pinoLogger?: FastifyBaseLogger;
  /** API keys, rate limit, CORS and timeouts, as the service would get them from its config. */
  http?: Pick<AppDeps, 'apiKeys' | 'rateLimit' | 'corsOrigins' | 'timeouts'>;
}

/** Whether end-to-end tests run on PostgreSQL (DATABASE_URL set) or SQLite. */
export const LEDGER_KIND = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

export async function startApiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  try {
    let sandbox = options.sandbox;
    let stripe: Stripe;
    if (sandbox === undefined) {
      const started = await startTestSandbox();
      cleanups.push(started.close);
      sandbox = started.sandbox;
      stripe = started.stripe;
    } else {
      stripe = createStripeClient({
        secretKey: TEST_KEY,
        apiBase: { protocol: 'http', host: sandbox.host, port: sandbox.port },
        timeoutMs: 10_000,
        maxNetworkRetries: 0,
      });
    }

    const ledger = await openTestLedger(cleanups);
    const clock = new ManualClock();
    const logger = new MemoryLogger();
    const client = createStripeClient({
      secretKey: options.stripeKey ?? TEST_KEY,
      apiBase: { protocol: 'http', host: sandbox.host, port: sandbox.port },
      timeoutMs: options.stripeTimeoutMs ?? 10_000,
      maxNetworkRetries: options.maxNetworkRetries ?? 1,
    });
    const domainLogger =
      options.pinoLogger === undefined ? logger : contextualLogger(options.pinoLogger);
    const metrics = createMetrics({
      pendingAttempts: () => ledger.countPendingAttempts(),
      processMetrics: false,
    });
    const gateway = new StripeGateway(client, domainLogger, metrics);
    const deps: PaymentsDeps = {
      ledger,
      stripe: options.wrapGateway ? options.wrapGateway(gateway) : gateway,
      clock,
      logger: domainLogger,
      settings: DEFAULT_SETTINGS,
    };
    const payments = instrumentPayments(createPaymentsService(deps), metrics);
    const readiness = createReadiness(
      { ledger: () => ledger.ping(), stripe: () => gateway.ping() },
      { clock },
    );
    const app = buildApp({
      payments,
      metrics,
      readiness,
      ...(options.pinoLogger === undefined ? {} : { logger: options.pinoLogger }),
      ...options.http,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());

    const address = app.server.address();
    const url = isRecord(address) ? `http://127.0.0.1:${String(address.port)}` : '';
    const box = sandbox;
    return {
      url,
      sandbox,
      stripe,
      ledger,
      clock,
      logger,
      deps,
      payments,
      app,
      metrics,
      readiness,
      request: (method, path, requestOptions) => send(url, method, path, requestOptions),
      stats: () => sandboxStats(box),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openTestLedger(cleanups: (() => Promise<void>)[]): Promise<Ledger> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const schema = `test_api_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    cleanups.push(() => dropSchema(databaseUrl, schema));
    const ledger = await createLedger({ databaseUrl, schema });
    cleanups.push(() => ledger.close());
    return ledger;
  }
  const dir = await mkdtemp(join(tmpdir(), 'payments-api-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const ledger = await createLedger({ sqliteFile: join(dir, 'ledger.sqlite') });
  cleanups.push(() => ledger.close());
  return ledger;
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * One request over node:http rather than fetch: fetch refuses a body on GET, and the history
 * endpoint's optional body is part of its contract.
 */
function send(
  base: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] ??= options.contentType ?? 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, String(value));
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: responseHeaders,
          text,
          body: parseJson(text),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fresh email for each registration, so tests sharing a ledger never collide. */
export function uniqueEmail(label = 'user'): string {
  return `${label}.${randomUUID().slice(0, 8)}@example.com`;
}

/** A string member of a parsed JSON object, or undefined. */
export function str(value: unknown, key: string): string | undefined {
  const member = isRecord(value) ? value[key] : undefined;
  return typeof member === 'string' ? member : undefined;
}

/** Polls `condition` until it holds; fails after `timeoutMs` (a generous bound, not a timing check). */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
