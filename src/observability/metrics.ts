import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PaymentsMetrics } from '../payments/metrics.ts';
import type { StripeCallMetrics } from '../stripe/call-record.ts';

/** Every series of this service starts with it; Node's own process metrics keep their names. */
export const METRIC_PREFIX = 'payments_api_';

/** Seconds: from a fast ledger read to a Stripe call that used up its retries. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  /** Read at every scrape: how many payment attempts are pending in the ledger. */
  pendingAttempts?: () => Promise<number>;
  /** Also export Node's process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

/** The service's metrics: what the domain, the gateway and the HTTP layer report. */
export interface Metrics extends PaymentsMetrics, StripeCallMetrics {
  /** A registry of this service only (not prom-client's global one), so instances never mix. */
  readonly registry: Registry;
  /** `route` is the route's pattern (`/api/payments/:customer_id`), never the raw URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

/**
 * Creates the registry and its series:
 * - `payments_api_http_request_duration_seconds{method,route,status_code}` (histogram)
 * - `payments_api_stripe_call_duration_seconds{operation,outcome}` (histogram; outcome ok|error)
 * - `payments_api_stripe_errors_total{operation,code}`
 * - `payments_api_payments_total{outcome}`
 * - `payments_api_idempotent_replays_total{scope}`
 * - `payments_api_history_syncs_total{result}`
 * - `payments_api_pending_attempts` (gauge, read from the ledger at scrape time)
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const http = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route pattern and status code, with their duration.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const stripeDuration = new Histogram({
    name: `${METRIC_PREFIX}stripe_call_duration_seconds`,
    help: 'Stripe API calls by operation and outcome (ok or error), with their duration.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const stripeErrors = new Counter({
    name: `${METRIC_PREFIX}stripe_errors_total`,
    help: 'Failed Stripe API calls by operation and code (Stripe error code, timeout, ...).',
    labelNames: ['operation', 'code'] as const,
    registers,
  });
  const payments = new Counter({
    name: `${METRIC_PREFIX}payments_total`,
    help:
      'Charges carried out (replays excluded) by outcome: the PaymentIntent status, ' +
      'declined, rejected or error.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const replays = new Counter({
    name: `${METRIC_PREFIX}idempotent_replays_total`,
    help: 'POSTs answered from the stored result of an earlier request with the same key.',
    labelNames: ['scope'] as const,
    registers,
  });
  const historySyncs = new Counter({
    name: `${METRIC_PREFIX}history_syncs_total`,
    help: 'Payment history requests by sync result: synced, stale, rejected or failed.',
    labelNames: ['result'] as const,
    registers,
  });
  const pendingAttempts = options.pendingAttempts;
  if (pendingAttempts !== undefined) {
    new Gauge({
      name: `${METRIC_PREFIX}pending_attempts`,
      help: 'Payment attempts written but not yet resolved (in flight, or left for the sweeper).',
      registers,
      async collect() {
        // A ledger that does not answer shows as NaN (unknown) rather than failing the scrape.
        try {
          this.set(await pendingAttempts());
        } catch {
          this.set(Number.NaN);
        }
      },
    });
  }

  return {
    registry,
    httpRequest(method, route, statusCode, seconds) {
      http.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    stripeCall(operation, seconds, outcome) {
      stripeDuration.observe({ operation, outcome: outcome === 'ok' ? 'ok' : 'error' }, seconds);
      if (outcome !== 'ok') stripeErrors.inc({ operation, code: outcome });
    },
    payment: (outcome) => payments.inc({ outcome }),
    idempotentReplay: (scope) => replays.inc({ scope }),
    historySync: (result) => historySyncs.inc({ result }),
  };
}
