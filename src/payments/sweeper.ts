import type { PaymentsDeps } from './deps.ts';
import { AppError } from './errors.ts';
import type { PaymentAttempt } from './ledger.ts';
import { recordAttempt } from './record.ts';
import type { StripePaymentIntent } from './stripe-port.ts';

/** Attempts looked at per run; the rest wait for the next run. */
const BATCH_SIZE = 100;

/**
 * How far before an attempt was written its PaymentIntent may carry a `created` time: Stripe's
 * clock is not ours.
 */
const CLOCK_SKEW_MS = 10 * 60_000;

export interface SweepReport {
  recorded: number;
  failed: number;
  stillPending: number;
  purgedKeys: number;
}

/**
 * Resolves payment attempts left pending by a crash or a timeout, and drops expired idempotency
 * keys. An attempt is only looked at once its request must be over (older than the lease). Its
 * PaymentIntent is found through the charge key in the metadata and recorded; when Stripe has none
 * after the grace period, the attempt failed. So no charge made in Stripe stays unrecorded.
 *
 * Safe to run in several processes at once: every write is idempotent.
 */
export async function sweep(deps: PaymentsDeps): Promise<SweepReport> {
  const { ledger, clock, settings } = deps;
  const now = clock.now();
  const report: SweepReport = { recorded: 0, failed: 0, stillPending: 0, purgedKeys: 0 };

  const cutoff = new Date(now.getTime() - settings.leaseMs);
  const attempts = await ledger.listPendingAttempts(cutoff, BATCH_SIZE);
  for (const [index, attempt] of attempts.entries()) {
    const verdict = await resolve(deps, attempt, now);
    if (verdict === 'unreachable') {
      // Stripe is down: the remaining attempts would fail the same way. Try again next run.
      report.stillPending += attempts.length - index;
      break;
    }
    report[verdict] += 1;
  }

  const expired = new Date(now.getTime() - settings.idempotencyTtlMs);
  report.purgedKeys = await ledger.purgeIdempotencyKeys(expired);
  return report;
}

async function resolve(
  deps: PaymentsDeps,
  attempt: PaymentAttempt,
  now: Date,
): Promise<'recorded' | 'failed' | 'stillPending' | 'unreachable'> {
  const since = new Date(attempt.createdAt.getTime() - CLOCK_SKEW_MS);
  let pi: StripePaymentIntent | null;
  try {
    pi = await deps.stripe.findPaymentIntentByChargeKey(
      attempt.customerId,
      attempt.stripeIdempotencyKey,
      since,
    );
  } catch (error) {
    const code = error instanceof AppError ? error.code : 'unexpected';
    deps.logger.warn({ err: error, code, attemptId: attempt.id }, 'sweeper could not reach stripe');
    return 'unreachable';
  }

  if (pi !== null) {
    await recordAttempt(deps, attempt, pi);
    deps.logger.info({ attemptId: attempt.id, paymentIntentId: pi.id }, 'sweeper recorded attempt');
    return 'recorded';
  }
  if (now.getTime() - attempt.createdAt.getTime() < deps.settings.attemptGraceMs) {
    return 'stillPending';
  }
  await deps.ledger.resolveAttempt(attempt.id, { status: 'failed', paymentIntentId: null, now });
  deps.logger.info({ attemptId: attempt.id }, 'sweeper marked attempt failed');
  return 'failed';
}

/** A sweeper running every `intervalMs` until stopped; runs never overlap. */
export interface SweeperHandle {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startSweeper(deps: PaymentsDeps, intervalMs: number): SweeperHandle {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running !== null) return;
    running = sweep(deps)
      .then((report) => {
        if (report.recorded + report.failed + report.purgedKeys > 0) {
          deps.logger.info({ sweep: report }, 'sweeper run finished');
        }
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'sweeper run failed'))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
