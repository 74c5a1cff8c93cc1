/**
 * The one catalogue of errors this service answers with. Each code is stable: clients branch on it,
 * so a code is never renamed or reused for another meaning. The HTTP layer renders an `AppError` as
 * `application/problem+json` (RFC 9457); nothing else decides a status or a message.
 */

/** One invalid input field; `param` names it as the client sent it. */
export interface FieldError {
  param: string;
  message: string;
}

/** Extra members a problem carries where they apply. */
export interface ProblemFields {
  param?: string;
  errors?: FieldError[];
  declineCode?: string;
  paymentIntentID?: string;
  clientSecret?: string;
  stripeCustomerID?: string;
  /** Readiness: each dependency checked and how it answered (`ok` or `failed`). */
  checks?: Record<string, string>;
}

interface CatalogueEntry {
  status: number;
  title: string;
  /** What happened and what to do next, safe to show to any caller. */
  detail: string;
}

export const CATALOGUE = {
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    detail: 'The request is not valid. Correct the fields listed in `errors` and send it again.',
  },
  token_already_used: {
    status: 400,
    title: 'Card token already used',
    detail:
      'This card token has already been used. Create a new token from the card and send the ' +
      'request again with it.',
  },
  token_invalid: {
    status: 400,
    title: 'Unknown card token',
    detail:
      'Stripe does not know this card token or payment method. Check that it was created with ' +
      'the same Stripe account, or create a new one.',
  },
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    detail:
      'This endpoint needs an API key. Send it as `Authorization: Bearer <key>`; ask the ' +
      'operator of this service for a key if you have none.',
  },
  customer_not_found: {
    status: 404,
    title: 'Customer not found',
    detail:
      'No customer exists with this id, or it was deleted. Register the customer with ' +
      'POST /api/customer first.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    detail:
      'There is no such endpoint. The API serves POST /api/customer, POST /api/payments and ' +
      'GET /api/payments/{customer_id}.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    detail: 'This endpoint does not support this method. The `Allow` header lists those it does.',
  },
  customer_exists: {
    status: 409,
    title: 'Customer already exists',
    detail:
      'A customer with this email is already registered; `stripeCustomerID` names it when its ' +
      'registration has finished. Charge that customer instead of registering it again.',
  },
  customer_has_no_payment_method: {
    status: 409,
    title: 'Customer has no payment method',
    detail:
      'The customer has no default card to charge. Give the customer a default payment method ' +
      'in Stripe, then send the payment again.',
  },
  idempotency_key_in_use: {
    status: 409,
    title: 'Idempotency key in use',
    detail:
      'Another request with this Idempotency-Key is still being processed. Wait a moment, then ' +
      'retry with the same key to receive its answer.',
  },
  request_timeout: {
    status: 408,
    title: 'Request timeout',
    detail: 'The request was not received in time. Send it again, whole, on a new connection.',
  },
  headers_too_large: {
    status: 431,
    title: 'Request headers too large',
    detail: 'The request headers are larger than the server accepts. Send only the needed headers.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    detail: 'The request body is larger than 16 KiB. Send only the documented fields.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    detail: 'Send the request body as JSON with `Content-Type: application/json`.',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency key reused',
    detail:
      'This Idempotency-Key was first used with a different request body. Use a new key for a ' +
      'new request, or resend the original body to receive its answer.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    detail:
      'This client sent more requests than its limit allows in the current window. Wait the ' +
      'number of seconds in `Retry-After`, then retry; with the same Idempotency-Key a retried ' +
      'POST is never carried out twice.',
  },
  internal_error: {
    status: 500,
    title: 'Internal error',
    detail:
      'Something went wrong on our side. Retry later with the same Idempotency-Key; if it keeps ' +
      'failing, contact support with the requestId.',
  },
  stripe_error: {
    status: 502,
    title: 'Payment provider error',
    detail:
      'Stripe answered with an error of its own. Retry later with the same Idempotency-Key: the ' +
      'request will not be carried out twice.',
  },
  stripe_unavailable: {
    status: 503,
    title: 'Payment provider unavailable',
    detail:
      'Stripe cannot be reached right now or is limiting our requests. Retry after the number ' +
      'of seconds in `Retry-After`, with the same Idempotency-Key.',
  },
  stripe_timeout: {
    status: 504,
    title: 'Payment provider timeout',
    detail:
      'Stripe did not answer in time; the outcome is not known yet. Retry with the same ' +
      'Idempotency-Key: it returns the original outcome and never charges twice.',
  },
  not_ready: {
    status: 503,
    title: 'Not ready',
    detail:
      'The service cannot serve requests right now: a dependency it needs does not answer. ' +
      '`checks` names it. Send traffic to another instance, or retry after `Retry-After`.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type CatalogueCode = keyof typeof CATALOGUE;

/** Card errors keep Stripe's own code (`card_declined`, `expired_card`, ...), always with 402. */
const CARD_ERROR: CatalogueEntry = {
  status: 402,
  title: 'Card refused',
  detail: 'The card was refused. Ask the customer for another card or to contact their bank.',
};

const CARD_TITLES: Record<string, string> = {
  card_declined: 'Card declined',
  expired_card: 'Card expired',
  incorrect_cvc: 'Incorrect CVC',
  incorrect_number: 'Incorrect card number',
  processing_error: 'Card processing error',
  authentication_required: 'Authentication required',
};

export interface AppErrorOptions {
  /** Replaces the catalogue's detail; only for text that is safe to show (never on a 5xx). */
  detail?: string;
  fields?: ProblemFields;
  /** Seconds a client should wait before retrying (503). */
  retryAfterSeconds?: number;
  /** Methods a route allows (405). */
  allow?: readonly string[];
  /** Facts for the log only, never for the response (Stripe request id, upstream code, ...). */
  logContext?: Record<string, unknown>;
  cause?: unknown;
}

/** An error with a stable code, its HTTP status and the fields the response carries. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly fields: ProblemFields;
  readonly retryAfterSeconds: number | undefined;
  readonly allow: readonly string[] | undefined;
  readonly logContext: Record<string, unknown>;
  /** Set when the error is the stored answer of an earlier request with the same key. */
  replayed = false;

  constructor(code: string, entry: CatalogueEntry, options: AppErrorOptions = {}) {
    super(
      options.detail ?? entry.detail,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.detail = options.detail ?? entry.detail;
    this.fields = options.fields ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.allow = options.allow;
    this.logContext = options.logContext ?? {};
  }

  /** A 5xx says the outcome is unknown or unfinished: the request may be run again. */
  get transient(): boolean {
    return this.status >= 500;
  }
}

/** Builds the catalogue's error for `code`. */
export function appError(code: CatalogueCode, options?: AppErrorOptions): AppError {
  return new AppError(code, CATALOGUE[code], options);
}

/** A 402 carrying Stripe's card error code (e.g. `card_declined`) and its decline code. */
export function cardError(code: string, options: AppErrorOptions = {}): AppError {
  const title = CARD_TITLES[code] ?? CARD_ERROR.title;
  return new AppError(code, { ...CARD_ERROR, title }, options);
}

/** Shape in which an error answer is kept for idempotent replay. */
export interface StoredError {
  error: { code: string; status: number; title: string; detail: string } & ProblemFields;
}

/** The replayable form of an error: what the client saw, without log-only context. */
export function storeError(err: AppError): StoredError {
  return {
    error: {
      code: err.code,
      status: err.status,
      title: err.title,
      detail: err.detail,
      ...err.fields,
    },
  };
}

/** Rebuilds an error answer kept by `storeError`; null when the value has another shape. */
export function restoreError(value: unknown): AppError | null {
  if (!isRecord(value) || !isRecord(value.error)) return null;
  const { code, status, title, detail, ...rest } = value.error;
  if (typeof code !== 'string' || typeof status !== 'number') return null;
  if (typeof title !== 'string' || typeof detail !== 'string') return null;

  const err = new AppError(code, { status, title, detail }, { fields: pickFields(rest) });
  err.replayed = true;
  return err;
}

function pickFields(value: Record<string, unknown>): ProblemFields {
  const fields: ProblemFields = {};
  for (const name of STRING_FIELDS) {
    const v = value[name];
    if (typeof v === 'string') fields[name] = v;
  }
  if (Array.isArray(value.errors)) {
    fields.errors = value.errors.filter(isFieldError);
  }
  return fields;
}

const STRING_FIELDS = [
  'param',
  'declineCode',
  'paymentIntentID',
  'clientSecret',
  'stripeCustomerID',
] as const;

function isFieldError(value: unknown): value is FieldError {
  return isRecord(value) && typeof value.param === 'string' && typeof value.message === 'string';
}

/** Narrows unknown JSON to an object whose members can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
