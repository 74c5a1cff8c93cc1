import { randomUUID } from 'node:crypto';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { PaymentsService } from '../payments/service.ts';
import { installErrorHandling } from './error-handler.ts';
import { customerRoutes } from './routes/customers.ts';
import { paymentRoutes } from './routes/payments.ts';

/** Bodies above this are refused with 413: the API's bodies are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppDeps {
  payments: PaymentsService;
  /** A pino logger; absent: no request log (tests). */
  logger?: FastifyBaseLogger;
}

/** An inbound request id is kept only when short and of a safe charset, else a new one is made. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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
    // Logged as `requestId`, the name the problem documents use.
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (request) => {
      const inbound = request.headers['x-request-id'];
      return typeof inbound === 'string' && SAFE_REQUEST_ID.test(inbound)
        ? inbound
        : `req_${randomUUID().replaceAll('-', '')}`;
    },
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

  app.register(customerRoutes, { payments: deps.payments });
  app.register(paymentRoutes, { payments: deps.payments });
  return app;
}
