import { leaseMsFor } from '../../../src/config.ts';
import type { Ledger, PaymentAttempt } from '../../../src/payments/ledger.ts';
import { sleep } from './retrying-client.ts';

/** Far enough ahead that every pending attempt was touched before it. */
const FAR_FUTURE_MS = 365 * 24 * 3_600_000;

/** Every payment attempt the ledger still holds as pending. */
export function pendingAttempts(ledger: Ledger): Promise<PaymentAttempt[]> {
  return ledger.listPendingAttempts(new Date(Date.now() + FAR_FUTURE_MS), 100_000);
}

/**
 * The API's idempotency lease for these Stripe settings: how long a crashed request holds its
 * key, and how old a pending attempt must be before the sweeper looks at it.
 */
export function leaseMs(stripeTimeoutMs: number, stripeMaxNetworkRetries: number): number {
  return leaseMsFor({ stripeTimeoutMs, stripeMaxNetworkRetries });
}

/**
 * Waits until the API's sweeper has resolved every pending attempt; answers how many were
 * pending when the wait began.
 *
 * @throws naming the attempts still pending after `timeoutMs` (a generous bound, not a timing
 *   check: the sweeper may only act once the lease and the grace period have passed).
 */
export async function waitForNoPendingAttempts(ledger: Ledger, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const initially = (await pendingAttempts(ledger)).length;
  for (;;) {
    const pending = await pendingAttempts(ledger);
    if (pending.length === 0) return initially;
    if (Date.now() > deadline) {
      const sample = pending.slice(0, 5).map((a) => `${a.id} (${a.createdAt.toISOString()})`);
      throw new Error(`${pending.length} attempts still pending, e.g. ${sample.join(', ')}`);
    }
    await sleep(1_000);
  }
}
