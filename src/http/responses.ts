import type { Static, TSchema } from 'typebox';
import {
  type AppError,
  appError,
  CATALOGUE,
  type CatalogueCode,
  cardError,
  type ProblemFields,
} from '../payments/errors.ts';
import { EXAMPLE_REQUEST_ID } from './examples.ts';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.ts';
import { FIELD_RULES, ProblemSchema } from './schemas.ts';

/**
 * Builders for the `response` part of a route schema. Fastify serializes (and so filters) a
 * success answer with the schema under `application/json`; @fastify/swagger turns the whole entry,
 * with its description, headers and examples, into the OpenAPI response.
 */

/** A response header as @fastify/swagger reads it: a JSON schema with a description. */
export interface HeaderDoc {
  type: 'string' | 'integer';
  description: string;
  enum?: string[];
}

export interface Example<T> {
  summary: string;
  value: T;
}

const REQUEST_ID: Record<string, HeaderDoc> = {
  'X-Request-Id': {
    type: 'string',
    description: "The request's id: the caller's own when it sent a valid one, else a new one.",
  },
};

/** On the POSTs: set when the answer is the stored one of an earlier request with the same key. */
export const REPLAYED_HEADER: Record<string, HeaderDoc> = {
  'Idempotent-Replayed': {
    type: 'string',
    enum: ['true'],
    description: 'Present when this is the stored answer to an earlier request with the same key.',
  },
};

/** Headers that come with an error status whatever the route. */
const STATUS_HEADERS: Record<number, Record<string, HeaderDoc>> = {
  401: {
    'WWW-Authenticate': { type: 'string', description: 'The scheme to authenticate with: Bearer.' },
  },
  429: { 'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying.' } },
  503: { 'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying.' } },
};

/** A JSON success response, with the schema that also filters what is sent. */
export function jsonResponse<T extends TSchema>(
  schema: T,
  options: {
    description: string;
    examples: Record<string, Example<Static<T>>>;
    headers?: Record<string, HeaderDoc>;
  },
) {
  return {
    description: options.description,
    headers: { ...REQUEST_ID, ...options.headers },
    content: { 'application/json': { schema, examples: options.examples } },
  };
}

/** Stripe's card error codes a route may pass through with a 402 (see `cardError`). */
export type CardCode =
  | 'card_declined'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'incorrect_number'
  | 'processing_error'
  | 'authentication_required';

/** The codes a route can answer with, each with the extra fields its example shows. */
export type RouteErrors = Partial<Record<CatalogueCode | CardCode, ProblemFields>>;

/** Every `/api/` route can answer these: its API key is checked and its rate limited first. */
export const ACCESS_ERRORS: RouteErrors = { unauthorized: {}, rate_limited: {} };

/** What any JSON POST that calls Stripe under an idempotency key may answer besides its own errors. */
export const IDEMPOTENT_POST_ERRORS: RouteErrors = {
  idempotency_key_in_use: {},
  payload_too_large: {},
  unsupported_media_type: {},
  idempotency_key_reused: {},
  internal_error: {},
  stripe_error: {},
  stripe_unavailable: {},
  stripe_timeout: {},
};

type Problem = Static<typeof ProblemSchema>;

export interface ProblemResponse {
  description: string;
  headers: Record<string, HeaderDoc>;
  content: {
    'application/problem+json': {
      schema: typeof ProblemSchema;
      examples: Record<string, Example<Problem>>;
    };
  };
}

/**
 * The error responses of a route, one per status, each listing its codes and with one example per
 * code rendered from the catalogue exactly as the error handler would answer.
 */
export function problemResponses(
  errors: RouteErrors,
  options: { idempotent?: boolean } = {},
): Record<string, ProblemResponse> {
  const responses: Record<string, ProblemResponse> = {};
  for (const [code, fields] of Object.entries(errors)) {
    const error = errorFor(code, fields ?? {});
    const problem: Problem = toProblem(error, EXAMPLE_REQUEST_ID);
    const key = String(error.status);

    const response = responses[key] ?? {
      description: '',
      headers: {
        ...REQUEST_ID,
        ...STATUS_HEADERS[error.status],
        ...(options.idempotent ? REPLAYED_HEADER : {}),
      },
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema, examples: {} } },
    };
    const media = response.content[PROBLEM_CONTENT_TYPE];
    media.examples[code] = { summary: error.title, value: problem };
    response.description = Object.entries(media.examples)
      .map(([c, example]) => `${example.summary} (\`${c}\`)`)
      .join('; ');
    responses[key] = response;
  }
  return responses;
}

/** The fields of a validation error's example: these params, with the messages clients get. */
export function invalidFields(...params: string[]): ProblemFields {
  return {
    errors: params.map((param) => ({ param, message: FIELD_RULES[param] ?? 'is invalid' })),
  };
}

function errorFor(code: string, fields: ProblemFields): AppError {
  return isCatalogueCode(code) ? appError(code, { fields }) : cardError(code, { fields });
}

function isCatalogueCode(code: string): code is CatalogueCode {
  return Object.hasOwn(CATALOGUE, code);
}
