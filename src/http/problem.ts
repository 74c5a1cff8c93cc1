import type { FastifyError, FastifyRequest } from 'fastify';
import { AppError, appError, type ProblemFields } from '../payments/errors.ts';
import { collectFieldErrors, toFieldErrors } from './field-errors.ts';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error answer: RFC 9457 members, then this API's code, request id and extra fields. */
export interface Problem extends ProblemFields {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
}

/**
 * The problem document for an error. `type` is a URN naming the code: stable, and not a link to
 * documentation that may move.
 */
export function toProblem(error: AppError, requestId: string): Problem {
  return {
    type: `urn:payments-api:error:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    requestId,
    ...error.fields,
  };
}

/** Turns whatever reached the error handler into a catalogue error. */
export function toAppError(error: unknown, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (!isFastifyError(error)) return appError('internal_error', { cause: error });

  if (error.validation !== undefined) {
    const collected = collectFieldErrors(request);
    const errors =
      collected.length > 0
        ? collected
        : toFieldErrors(error.validationContext ?? 'body', error.validation);
    return appError('invalid_request', { fields: { errors } });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return appError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return appError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidBody('is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidBody('is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalidBody('does not match its Content-Length');
    case 'FST_ERR_BAD_URL':
      return invalidPath('is not a valid URL path');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Only the customer id is a path parameter; far longer than any valid one.
      return invalidPath('has a segment longer than any valid customer id');
  }
  // Any other client error Fastify raises is still the client's, but not one we foresaw.
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return appError('invalid_request', { logContext: { fastifyCode: error.code } });
  }
  return appError('internal_error', { cause: error });
}

function invalidPath(message: string): AppError {
  return appError('invalid_request', { fields: { errors: [{ param: 'path', message }] } });
}

function invalidBody(message: string): AppError {
  return appError('invalid_request', { fields: { errors: [{ param: 'body', message }] } });
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}
