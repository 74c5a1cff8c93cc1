import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ApiKey, HttpTimeouts, RateLimitConfig } from '../config.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Readiness } from '../observability/readiness.ts';
import type { PaymentsService } from '../payments/service.ts';
import { handleClientError, handleFrameworkError, installErrorHandling } from './error-handler.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerDrain } from './plugins/drain.ts';
import { isQuietPath, registerHealth } from './plugins/health.ts';
import { registerLogContext } from './plugins/log-context.ts';
import { registerMetrics } from './plugins/metrics.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerSecurity } from './plugins/security.ts';
import { requestIdFor } from './request-id.ts';
import { customerRoutes } from './routes/customers.ts';
import { paymentRoutes } from './routes/payments.ts';

/** Bodies above this are refused with 413: the API's bodies are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppDeps {
  payments: PaymentsService;
  /** A pino logger; absent: no request log (tests). */
  logger?: FastifyBaseLogger;
  /** Who may call /api/* and /metrics; absent or empty: open access. */
  apiKeys?: readonly ApiKey[];
  /** Absent: no rate limit (tests). */
  rateLimit?: RateLimitConfig;
  /** Origins allowed to call from a browser; absent or empty: CORS closed. */
  corsOrigins?: readonly string[];
  /** Absent: Node's and Fastify's defaults (tests). */
  timeouts?: HttpTimeouts;
  /** Absent: no HTTP metrics and no /metrics. */
  metrics?: Metrics;
  /** Absent: no /readyz. */
  readiness?: Readiness;
}

/**
 * Builds the HTTP application without listening. Later features (authentication, rate limits,
 * metrics, health, OpenAPI) register as plugins on the returned instance before it listens.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Longer than any valid customer id, so an overlong one gets a 400 naming the field rather
    // than the router's 404.
    routerOptions: { maxParamLength: 512 },
    // Logged as `requestId`, the name the problem documents use. Probes and scrapes come every
    // few seconds: their own lines would bury the requests that matter (failures still log).
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: (request) => isQuietPath(request.url),
    }),
    ...fastifyTimeouts(deps.timeouts),
    genReqId: (request) => requestIdFor(request.headers['x-request-id']),
    // Errors raised before routing, and requests too broken to parse, still answer problem+json.
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // TypeBox checks request schemas: it reports every invalid field, and it never coerces a body
  // ("100" is not an amount), unlike Fastify's default ajv settings.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // The history GET accepts an optional JSON body (see routes/payments.ts).
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  // JSON only: any other body is a 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  if (deps.timeouts !== undefined) app.server.headersTimeout = deps.timeouts.headersTimeoutMs;

  // Order matters: the security plugin's route hook and the rate limit (which hooks each route as
  // it is added) come before the routes; identifying the caller comes before the rate limit.
  registerSecurity(app, deps.corsOrigins ?? []);
  registerAuth(app, deps.apiKeys ?? []);
  if (deps.rateLimit !== undefined) registerRateLimit(app, deps.rateLimit);
  registerLogContext(app);
  registerDrain(app);
  if (deps.metrics !== undefined) registerMetrics(app, deps.metrics);
  registerHealth(app, deps.readiness);

  // Before the routes: the OpenAPI document is made from the routes registered after it.
  registerOpenApi(app);
  app.register(customerRoutes, { payments: deps.payments });
  app.register(paymentRoutes, { payments: deps.payments });
  return app;
}

/**
 * Node's server timeouts. The connection (idle socket) timeout also runs while a handler waits on
 * Stripe, so config.ts keeps it above the longest request; the request timeout only bounds
 * receiving the request; keep-alive outlasts a load balancer's usual 60 s idle timeout.
 */
function fastifyTimeouts(timeouts: HttpTimeouts | undefined) {
  if (timeouts === undefined) return {};
  return {
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
  };
}
