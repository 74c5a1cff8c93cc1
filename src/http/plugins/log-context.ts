import type { FastifyInstance } from 'fastify';
import { runWithLogger } from '../../observability/request-context.ts';

/**
 * Makes the request's logger (with `requestId` and the caller's label) the current one while
 * its handler runs, so the domain's and the Stripe gateway's lines carry the same bindings.
 * A `preHandler` hook: the handler is called from `done`, inside the context; earlier hooks (body
 * parsing) may run outside it, and log through the request anyway.
 */
export function registerLogContext(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    runWithLogger(request.log, done);
  });
}
