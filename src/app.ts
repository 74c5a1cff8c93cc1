import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Config, leaseMsFor } from './config.ts';
import { buildApp } from './http/app.ts';
import { createLedger } from './ledger/index.ts';
import { createMetrics } from './observability/metrics.ts';
import { createReadiness } from './observability/readiness.ts';
import { contextualLogger } from './observability/request-context.ts';
import { systemClock } from './payments/clock.ts';
import { DEFAULT_SETTINGS, type PaymentsDeps } from './payments/deps.ts';
import { instrumentPayments } from './payments/metrics.ts';
import { createPaymentsService, type PaymentsService } from './payments/service.ts';
import { startSweeper } from './payments/sweeper.ts';
import { type ApiBase, createStripeClient } from './stripe/client.ts';
import { StripeGateway } from './stripe/gateway.ts';

/** The key the embedded sandbox is called with: obviously not a real one. */
const SANDBOX_KEY = 'sk_test_sandbox';

export interface Service {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  app: FastifyInstance;
  payments: PaymentsService;
  /** Stops the sweeper and the server, then closes the ledger and the embedded sandbox. */
  close(): Promise<void>;
}

/**
 * Wires the running service from its configuration: the Stripe backend (real Stripe, a server at
 * STRIPE_API_BASE, or the sandbox started in-process), the ledger, the domain, the HTTP app and
 * the sweeper. Anything opened before a failure is closed again before the error propagates.
 */
export async function startService(config: Config, logger: FastifyBaseLogger): Promise<Service> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) {
      await closeOne().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
    }
  };

  try {
    await mkdir(config.dataDir, { recursive: true });

    let secretKey = config.stripeSecretKey;
    let apiBase: ApiBase | null = config.stripeApiBase;
    if (secretKey === null) {
      // Loaded only when used: a service talking to Stripe never runs the sandbox's code.
      const { startSandbox } = await import('./sandbox/index.ts');
      const sandbox = await startSandbox({
        port: 0,
        databaseFile: join(config.dataDir, 'sandbox.sqlite'),
      });
      closers.push(() => sandbox.close());
      logger.warn(
        { sandboxUrl: sandbox.url },
        'STRIPE_SECRET_KEY is not set: using the embedded Stripe sandbox, no real money moves',
      );
      secretKey = SANDBOX_KEY;
      apiBase = { protocol: 'http', host: sandbox.host, port: sandbox.port };
    }

    const ledger = await createLedger(
      config.databaseUrl === null
        ? { sqliteFile: join(config.dataDir, 'ledger.sqlite') }
        : { databaseUrl: config.databaseUrl },
    );
    closers.push(() => ledger.close());

    const stripe = createStripeClient({
      secretKey,
      apiBase,
      timeoutMs: config.stripeTimeoutMs,
      maxNetworkRetries: config.stripeMaxNetworkRetries,
    });
    // Lines written while a request is served carry its requestId and caller.
    const domainLogger = contextualLogger(logger);
    const metrics = createMetrics({ pendingAttempts: () => ledger.countPendingAttempts() });
    const gateway = new StripeGateway(stripe, domainLogger, metrics);
    const deps: PaymentsDeps = {
      ledger,
      stripe: gateway,
      clock: systemClock,
      logger: domainLogger,
      settings: {
        ...DEFAULT_SETTINGS,
        leaseMs: leaseMsFor(config),
        attemptGraceMs: config.pendingAttemptGraceMs,
      },
    };
    const payments = instrumentPayments(createPaymentsService(deps), metrics);
    const readiness = createReadiness({
      ledger: () => ledger.ping(),
      stripe: () => gateway.ping(),
    });

    if (config.apiKeys.length === 0) {
      logger.warn({}, 'API_KEYS is not set: /api/* and /metrics are open to anyone');
    }
    const app = buildApp({
      payments,
      logger,
      apiKeys: config.apiKeys,
      rateLimit: config.rateLimit,
      corsOrigins: config.corsOrigins,
      timeouts: config.http,
      metrics,
      readiness,
    });
    closers.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });

    const sweeper = startSweeper(deps, config.sweepIntervalMs);
    closers.push(() => sweeper.stop());

    return { url: urlOf(app), app, payments, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function urlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
