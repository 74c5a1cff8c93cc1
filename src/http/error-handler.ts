import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, appError } from '../payments/errors.ts';
import { PROBLEM_CONTENT_TYPE, toAppError, toProblem } from './problem.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Installs the one error path: every failure, from the framework, the schemas or the domain,
 * leaves as a problem document. 4xx are logged at info, 5xx at error with their cause; the
 * answer never carries a stack, Stripe's raw error or any detail of a 5xx.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    sendProblem(request, reply, toAppError(error, request));
  });

  app.setNotFoundHandler((request, reply) => {
    const allow = allowedMethods(app, request);
    sendProblem(
      request,
      reply,
      allow.length === 0 ? appError('not_found') : appError('method_not_allowed', { allow }),
    );
  });
}

/** Methods the path answers to, when it matches a route at all. */
function allowedMethods(app: FastifyInstance, request: FastifyRequest): string[] {
  const path = request.url.split('?', 1)[0] ?? '/';
  return METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): void {
  logError(request, error);

  if (error.replayed) reply.header('idempotent-replayed', 'true');
  if (error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  if (error.allow !== undefined) reply.header('allow', error.allow.join(', '));

  reply
    .code(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblem(error, request.id)));
}

function logError(request: FastifyRequest, error: AppError): void {
  const fields = { code: error.code, status: error.status, ...error.logContext };
  if (error.status >= 500) {
    // The cause (a database error, an unforeseen exception) is logged here, once.
    request.log.error({ ...fields, err: error.cause ?? undefined }, 'request failed');
  } else {
    request.log.info(fields, 'request rejected');
  }
}
