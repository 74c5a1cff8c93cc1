/**
 * Stripe's error envelope and the catalogue of errors the sandbox raises.
 *
 * The SDK picks its error class from the HTTP status (402 -> StripeCardError, 400/404 ->
 * StripeInvalidRequestError or StripeIdempotencyError by `type`, 401 -> StripeAuthenticationError,
 * ...), so each entry fixes status, type, code and message together (stripe-semantics.md §2.3).
 */

export type ErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** The fields of `{"error": {...}}`; absent fields are omitted from the body, as Stripe does. */
export interface ErrorFields {
  type: ErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

/**
 * An error answered to the client in Stripe's envelope. Handlers throw it; a thrown error rolls
 * back every write of the request, and only a 402 (a card refused) is stored for idempotent
 * replay: other errors are validation, which Stripe does not store.
 */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly fields: ErrorFields,
    /** Extra response headers, such as `Stripe-Should-Retry`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(fields.message);
    this.name = 'StripeError';
  }
}

/** The documentation link Stripe attaches to coded errors. */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;
}

function invalid(status: number, message: string, param?: string, code?: string): StripeError {
  const fields: ErrorFields = { type: 'invalid_request_error', message };
  if (code !== undefined) {
    fields.code = code;
    fields.doc_url = docUrl(code);
  }
  if (param !== undefined) fields.param = param;
  return new StripeError(status, fields);
}

/** 400 for a request that is wrong in itself (a value out of range, a rule broken). */
export function invalidRequest(message: string, param?: string, code?: string): StripeError {
  return invalid(400, message, param, code);
}

export function parameterUnknown(param: string): StripeError {
  return invalid(400, `Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

export function parameterMissing(param: string): StripeError {
  return invalid(400, `Missing required param: ${param}.`, param, 'parameter_missing');
}

export function invalidInteger(param: string, value: string): StripeError {
  return invalid(400, `Invalid integer: ${value}`, param, 'parameter_invalid_integer');
}

export function invalidBoolean(param: string, value: string): StripeError {
  return invalid(400, `Invalid boolean: ${value}`, param);
}

export function invalidString(param: string): StripeError {
  return invalid(400, `Invalid string: ${param} must be a string, not a hash or an array`, param);
}

export function invalidHash(param: string): StripeError {
  return invalid(400, `Invalid hash: ${param} must be a hash, such as ${param}[key]=value`, param);
}

export function invalidArray(param: string): StripeError {
  return invalid(400, `Invalid array: ${param} must be an array, such as ${param}[0]=value`, param);
}

export function invalidEnum(param: string, value: string, allowed: readonly string[]): StripeError {
  const list = allowed.join(', ');
  return invalid(400, `Invalid ${param}: must be one of ${list} (got '${value}')`, param);
}

/**
 * No object with that id. A missing id in the URL path is a 404 with `param: id`; an id passed as
 * a parameter (a `customer` on a PaymentIntent) is a 400 naming that parameter.
 */
export function resourceMissing(kind: string, id: string, param = 'id'): StripeError {
  const status = param === 'id' ? 404 : 400;
  return invalid(status, `No such ${kind}: '${id}'`, param, 'resource_missing');
}

export function unrecognizedUrl(method: string, path: string): StripeError {
  return invalid(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we ` +
      'can help at https://support.stripe.com/.',
  );
}

/** A 402 `card_error`, as issuers' declines and card validation failures are reported. */
export function cardError(fields: Omit<ErrorFields, 'type' | 'doc_url'> & { code: string }) {
  return new StripeError(402, { type: 'card_error', doc_url: docUrl(fields.code), ...fields });
}

export function stateError(message: string, paymentIntent?: unknown): StripeError {
  const error = invalid(400, message, undefined, 'payment_intent_unexpected_state');
  if (paymentIntent !== undefined) error.fields.payment_intent = paymentIntent;
  return error;
}

const KEY_HELP =
  'You need to provide your API key in the Authorization header, using Bearer auth (e.g. ' +
  "'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for " +
  'details, or we can help at https://support.stripe.com/.';

export function apiKeyMissing(): StripeError {
  return invalid(401, `You did not provide an API key. ${KEY_HELP}`);
}

export function apiKeyInvalid(masked: string): StripeError {
  return invalid(401, `Invalid API Key provided: ${masked}`);
}

export function publishableKeyRefused(): StripeError {
  return invalid(
    401,
    'This API call cannot be made with a publishable API key. Please use a secret API key. ' +
      'You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
  );
}

/** 500 for the sandbox's own failures: never any detail of the cause (it is logged instead). */
export function internalError(): StripeError {
  return new StripeError(500, {
    type: 'api_error',
    message: 'An unknown error occurred in the sandbox. The request id is logged with the cause.',
  });
}

/** A transport-level failure before routing (bad body, too large, bad headers). */
export function transportError(status: number, message: string): StripeError {
  return invalid(status, message);
}

/** The JSON body Stripe sends for an error. */
export function envelope(fields: ErrorFields): { error: ErrorFields } {
  return { error: fields };
}
