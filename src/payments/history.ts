import type { PaymentsDeps } from './deps.ts';
import { AppError, appError } from './errors.ts';
import type { PaymentRecord } from './ledger.ts';
import { planSync, recordSync } from './sync.ts';

export interface HistoryInput {
  customerId: string;
  /** Only payments in this PaymentIntent status. */
  status?: string;
}

export interface History {
  /** Newest first. */
  payments: PaymentRecord[];
  /** True when Stripe could not be reached and the ledger's last synced copy is served. */
  stale: boolean;
  /** When the payments were last brought up to date with Stripe (null: never). */
  syncedAt: Date | null;
}

/**
 * A customer's payment history: retrieve the customer (404 when unknown or deleted) and, at the
 * same time, list what changed since the last sync -> record it -> answer from the ledger.
 *
 * When Stripe is unreachable the ledger's copy is still worth serving, flagged as stale, provided
 * the customer was synced at least once; a customer never synced gets the outage (503).
 */
export async function paymentHistory(deps: PaymentsDeps, input: HistoryInput): Promise<History> {
  const { ledger, stripe } = deps;
  const { customerId } = input;

  let syncedAt: Date;
  try {
    // The customer check and the list are independent reads at Stripe: ask both at once, so a
    // warm history costs one round trip, and record what was listed only for a live customer.
    const plan = await planSync(deps, customerId);
    const [customer, found] = await Promise.allSettled([
      stripe.retrieveCustomer(customerId),
      stripe.listPaymentIntents(customerId, plan.since),
    ]);
    if (customer.status === 'rejected') throw customer.reason;
    if (customer.value === null) throw appError('customer_not_found');
    if (found.status === 'rejected') throw found.reason;
    await recordSync(deps, customerId, plan, found.value);
    syncedAt = plan.startedAt;
  } catch (error) {
    if (!(error instanceof AppError) || !isOutage(error)) throw error;
    const state = await ledger.getSyncState(customerId);
    if (state === null) throw appError('stripe_unavailable', outageOptions(error));

    deps.logger.warn({ customerId, code: error.code }, 'serving stale payment history');
    const payments = await ledger.listPayments(customerId, input.status);
    return { payments, stale: true, syncedAt: state.syncedAt };
  }

  const payments = await ledger.listPayments(customerId, input.status);
  return { payments, stale: false, syncedAt };
}

/** Stripe itself failing, as opposed to a bad request or our own fault. */
function isOutage(error: AppError): boolean {
  return ['stripe_error', 'stripe_unavailable', 'stripe_timeout'].includes(error.code);
}

function outageOptions(error: AppError) {
  return {
    retryAfterSeconds: error.retryAfterSeconds ?? 5,
    logContext: { upstreamCode: error.code, ...error.logContext },
  };
}
