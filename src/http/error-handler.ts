import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, appError } from '../payments/errors.ts';
import { PROBLEM_CONTENT_TYPE, toAppError, toProblem } from './problem.ts';
import { newRequestId } from './request-id.ts';

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

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any route or hook runs (a
 * badly encoded path, an overlong path parameter), which the error handler never sees.
 */
export function handleFrameworkError(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id);
  sendProblem(request, reply, toAppError(error, request));
}

/**
 * Node's `clientError` event: a request too broken to parse (bad header bytes, headers over the
 * size limit, a malformed request line) or one that timed out while arriving. There is no request
 * object, so the answer is written to the socket directly, still as a problem document, and the
 * connection is closed since its remaining bytes cannot be trusted.
 */
export function handleClientError(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Duplex,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;

  const appErr =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? appError('request_timeout')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? appError('headers_too_large')
        : appError('invalid_request', {
            fields: { errors: [{ param: 'request', message: 'is not a valid HTTP request' }] },
          });
  const requestId = newRequestId();
  this.log.info({ requestId, code: appErr.code, parserCode: error.code }, 'request rejected');

  if (socket.writable) {
    const body = JSON.stringify(toProblem(appErr, requestId));
    socket.write(
      `HTTP/1.1 ${appErr.status} ${STATUS_CODES[appErr.status] ?? 'Error'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
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
