import { AppError } from './errors.ts';
import type { IdempotencyScope } from './ledger.ts';
import type { PaymentsService } from './service.ts';

/**
 * What the domain reports for monitoring, in its own terms; `src/observability/metrics.ts`
 * turns it into Prometheus series. No metrics library is imported here.
 */
export interface PaymentsMetrics {
  /**
   * A charge carried out (not a replay): the PaymentIntent's status when it went through
   * (`succeeded`, `processing`, ...), else `declined` (402), `rejected` (another 4xx, such as an
   * unknown customer) or `error` (5xx: the outcome is unknown until a retry or the sweeper).
   */
  payment(outcome: string): void;
  /** A POST answered from its stored result (`Idempotent-Replayed: true`). */
  idempotentReplay(scope: IdempotencyScope): void;
  /**
   * A history request: `synced` with Stripe, `stale` (Stripe unreachable, served from the
   * ledger), `rejected` (a 4xx such as an unknown customer) or `failed` (5xx).
   */
  historySync(result: 'synced' | 'stale' | 'rejected' | 'failed'): void;
}

/** Codes that refuse a request before any payment work starts: not a payment outcome. */
const NOT_A_PAYMENT = new Set(['idempotency_key_in_use', 'idempotency_key_reused']);

/** The same service, reporting each call's outcome to `metrics`. */
export function instrumentPayments(
  service: PaymentsService,
  metrics: PaymentsMetrics,
): PaymentsService {
  return {
    async registerCustomer(input) {
      try {
        const answer = await service.registerCustomer(input);
        if (answer.replayed) metrics.idempotentReplay('customer');
        return answer;
      } catch (error) {
        if (error instanceof AppError && error.replayed) metrics.idempotentReplay('customer');
        throw error;
      }
    },
    async charge(input) {
      try {
        const answer = await service.charge(input);
        if (answer.replayed) metrics.idempotentReplay('payment');
        else metrics.payment(answer.body.status);
        return answer;
      } catch (error) {
        if (error instanceof AppError && error.replayed) metrics.idempotentReplay('payment');
        else if (!(error instanceof AppError && NOT_A_PAYMENT.has(error.code))) {
          metrics.payment(failedOutcome(error));
        }
        throw error;
      }
    },
    async history(input) {
      try {
        const history = await service.history(input);
        metrics.historySync(history.stale ? 'stale' : 'synced');
        return history;
      } catch (error) {
        const rejected = error instanceof AppError && error.status < 500;
        metrics.historySync(rejected ? 'rejected' : 'failed');
        throw error;
      }
    },
    sweep: () => service.sweep(),
  };
}

function failedOutcome(error: unknown): string {
  if (!(error instanceof AppError) || error.status >= 500) return 'error';
  return error.status === 402 ? 'declined' : 'rejected';
}
