import Stripe from 'stripe';
import { maskSensitive } from '../observability/redact.ts';
import {
  type AppError,
  type AppErrorOptions,
  appError,
  cardError,
  isRecord,
  type ProblemFields,
} from '../payments/errors.ts';

/** The Stripe calls the gateway makes, named in logs and used to read some errors in context. */
export type StripeCall =
  | 'payment_methods.create'
  | 'customers.create'
  | 'customers.retrieve'
  | 'customers.list'
  | 'payment_intents.create'
  | 'payment_intents.list';

/** When Stripe gives no Retry-After, how long a client should wait before trying again. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The one translation of SDK errors into the domain's catalogue. Rules, in order:
 * - a card refused (402): Stripe's code and decline code, and its message, which Stripe writes
 *   for end users;
 * - a spent or unknown token (or a PaymentMethod already attached elsewhere): 400
 *   `token_already_used` / `token_invalid`;
 * - Stripe unreachable, rate-limiting us, or busy with the same key (409): 503, retry later;
 * - no answer in time: 504 (the outcome is unknown);
 * - Stripe failing (5xx, a body that is not JSON): 502;
 * - everything else, a bad key above all, is our fault: 500 with a generic message.
 * Stripe's raw error never reaches a client: only its code and what the rules pick.
 */
export function translateStripeError(error: unknown, call: StripeCall): AppError {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return appError('internal_error', { cause: error, logContext: { stripeCall: call } });
  }
  const context = { logContext: logContextOf(error, call) };

  if (error instanceof Stripe.errors.StripeCardError) {
    return cardErrorOf(error, context);
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return appError('stripe_unavailable', { ...context, retryAfterSeconds: retryAfter(error) });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return isTimeout(error)
      ? appError('stripe_timeout', context)
      : appError('stripe_unavailable', { ...context, retryAfterSeconds: retryAfter(error) });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return invalidRequestOf(error, call, context);
  }
  if (error instanceof Stripe.errors.StripeAPIError) {
    // 409: another request holds the same idempotency key at Stripe; it will finish shortly.
    if (error.statusCode === 409) {
      return appError('stripe_unavailable', { ...context, retryAfterSeconds: retryAfter(error) });
    }
    return appError('stripe_error', context);
  }
  // Authentication (a bad key), permission, idempotency (our key derivation) and the unforeseen.
  return appError('internal_error', context);
}

function cardErrorOf(error: Stripe.errors.StripeCardError, context: AppErrorOptions): AppError {
  const fields: ProblemFields = {};
  if (error.decline_code) fields.declineCode = error.decline_code;
  if (error.payment_intent?.id) fields.paymentIntentID = error.payment_intent.id;
  const message = rawMessage(error);
  return cardError(error.code ?? 'card_declined', {
    ...context,
    fields,
    ...(message === null ? {} : { detail: message }),
  });
}

function invalidRequestOf(
  error: Stripe.errors.StripeInvalidRequestError,
  call: StripeCall,
  context: AppErrorOptions,
): AppError {
  const spendsToken = call === 'payment_methods.create' || call === 'customers.create';
  const fields = { param: 'stripeCreditCardToken' };
  if (error.code === 'token_already_used' || error.code === 'token_in_use') {
    return appError('token_already_used', { ...context, fields });
  }
  // A pm_... the client sent that already belongs to another customer: spent, like a token.
  if (call === 'customers.create' && error.param === 'payment_method' && !error.code) {
    return appError('token_already_used', { ...context, fields });
  }
  if (error.code === 'resource_missing' && spendsToken) {
    return appError('token_invalid', { ...context, fields });
  }
  if (error.code === 'resource_missing' && error.param === 'customer') {
    return appError('customer_not_found', context);
  }
  return appError('internal_error', context);
}

/** Stripe's own message, without the `[req_...]` prefix the SDK puts on `err.message`. */
export function rawMessage(error: Stripe.errors.StripeError): string | null {
  const raw = error.raw;
  return isRecord(raw) && typeof raw.message === 'string' ? raw.message : null;
}

/** The SDK gave up waiting for an answer (its `timeout`), as opposed to failing to connect. */
export function isTimeout(error: Stripe.errors.StripeConnectionError): boolean {
  const detail = error.detail;
  return typeof detail === 'object' && 'code' in detail && detail.code === 'ETIMEDOUT';
}

function retryAfter(error: Stripe.errors.StripeError): number {
  const header = error.headers?.['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number.parseInt(header, 10);
  return Number.isInteger(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
}

/** What the log may keep of a Stripe error: no raw object (it can hold client secrets). */
function logContextOf(error: Stripe.errors.StripeError, call: StripeCall): Record<string, unknown> {
  return {
    stripeCall: call,
    stripeErrorType: error.type,
    stripeCode: error.code,
    stripeStatus: error.statusCode,
    stripeRequestId: error.requestId,
    // Stripe's text can quote what it was sent: a token id, an email.
    stripeMessage: mask(rawMessage(error)),
  };
}

function mask(text: string | null): string | null {
  return text === null ? null : maskSensitive(text);
}
