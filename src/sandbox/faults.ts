/**
 * Injected latency and failures for /v1 requests, drawn before a request is handled so that a
 * faulted request has no effect. The 429 without `Stripe-Should-Retry` is one the SDK does not
 * retry; the `lock_timeout` 429 carries `Stripe-Should-Retry: true`, which the SDK does retry;
 * 500 and 503 carry no such header, so the SDK retries them by its status rule
 * (stripe-semantics.md §5.2).
 */
import type { FaultKind, RuntimeConfig } from './config.ts';
import { StripeError } from './errors.ts';

/** Draws the fault for the next /v1 request, if any; consumes one of `faults.next`. */
export function drawFault(
  config: RuntimeConfig,
  random: () => number = Math.random,
): FaultKind | null {
  const faults = config.faults;
  let failing = false;
  if (faults.next > 0) {
    faults.next -= 1;
    failing = true;
  } else if (faults.rate > 0 && random() < faults.rate) {
    failing = true;
  }
  if (!failing || faults.kinds.length === 0) return null;
  return faults.kinds[Math.floor(random() * faults.kinds.length)] ?? null;
}

/** Milliseconds to wait before handling a request: fixed plus uniform jitter. */
export function drawLatency(config: RuntimeConfig, random: () => number = Math.random): number {
  const { fixedMs, jitterMs } = config.latency;
  return fixedMs + (jitterMs > 0 ? random() * jitterMs : 0);
}

/** The answer of an HTTP fault; `reset` and `hang` have none (they act on the socket). */
export function faultError(kind: Exclude<FaultKind, 'reset' | 'hang'>): StripeError {
  switch (kind) {
    case 'http_500':
      return new StripeError(500, {
        type: 'api_error',
        message: 'An unknown error occurred (injected by the sandbox).',
      });
    case 'http_503':
      return new StripeError(503, {
        type: 'api_error',
        message: 'The service is temporarily unavailable (injected by the sandbox).',
      });
    case 'http_429':
      return new StripeError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message:
          'Too many requests hit the API too quickly. We recommend an exponential backoff of ' +
          'your requests (injected by the sandbox).',
      });
    case 'http_429_retry':
      return new StripeError(
        429,
        {
          type: 'invalid_request_error',
          code: 'lock_timeout',
          message:
            'This object cannot be accessed right now because another API request or Stripe ' +
            'process is currently accessing it. If you see this error intermittently, retry the ' +
            'request (injected by the sandbox).',
        },
        { 'Stripe-Should-Retry': 'true' },
      );
  }
}
