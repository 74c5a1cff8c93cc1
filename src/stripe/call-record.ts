import Stripe from 'stripe';
import type { Logger } from '../payments/deps.ts';
import { isTimeout, type StripeCall } from './errors.ts';

/** Receives one measurement per Stripe call; the service's metrics implement it. */
export interface StripeCallMetrics {
  /** `outcome` is `ok` or the failure's code (see `outcomeOf`). */
  stripeCall(operation: StripeCall, seconds: number, outcome: string): void;
}

/** For a gateway nobody monitors (tests, scripts). */
export const NO_STRIPE_METRICS: StripeCallMetrics = { stripeCall: () => {} };

/** How a call ended: the SDK's answer, or the error it raised. */
export type CallResult = { ok: true; requestId: string | null } | { ok: false; error: unknown };

/**
 * Writes the one record of a Stripe call: a log line with the operation, duration, outcome and
 * Stripe's request id, and a measurement. A failure is only *recorded* here, at info: whoever
 * handles it (the error handler, the sweeper) logs it as an error, once. `quiet` calls (the
 * readiness probe) log a success at debug only: probes every few seconds would flood the log.
 */
export function recordCall(
  logger: Logger,
  metrics: StripeCallMetrics,
  call: { operation: StripeCall; startedAt: number; result: CallResult; quiet?: boolean },
): void {
  const durationMs = performance.now() - call.startedAt;
  const { result } = call;
  const outcome = result.ok ? 'ok' : outcomeOf(result.error);
  metrics.stripeCall(call.operation, durationMs / 1000, outcome);

  const stripeError = !result.ok && result.error instanceof Stripe.errors.StripeError;
  const fields = {
    stripeCall: call.operation,
    durationMs: Math.round(durationMs),
    outcome,
    stripeRequestId: result.ok ? result.requestId : errorRequestId(result.error),
    ...(stripeError ? { stripeStatus: errorStatus(result.error) } : {}),
  };
  if (result.ok && call.quiet === true) logger.debug(fields, 'stripe call');
  else logger.info(fields, 'stripe call');
}

/**
 * A failed call's code, few enough values for a metric label: Stripe's error code
 * (`card_declined`, `resource_missing`, `rate_limit`, ...), else its error type (`api_error`),
 * `timeout` or `connection_error` when no answer came, `exception` for anything else.
 */
export function outcomeOf(error: unknown): string {
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return isTimeout(error) ? 'timeout' : 'connection_error';
  }
  if (error instanceof Stripe.errors.StripeError) {
    return error.code ?? error.rawType ?? 'stripe_error';
  }
  return 'exception';
}

function errorRequestId(error: unknown): string | null {
  return error instanceof Stripe.errors.StripeError ? (error.requestId ?? null) : null;
}

function errorStatus(error: unknown): number | null {
  return error instanceof Stripe.errors.StripeError ? (error.statusCode ?? null) : null;
}
