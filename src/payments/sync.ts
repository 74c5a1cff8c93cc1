import type { PaymentsDeps } from './deps.ts';
import { isFinalStatus, type PaymentRecord } from './ledger.ts';
import { toPaymentRecord } from './record.ts';

/**
 * Brings a customer's payments in the ledger up to date with Stripe; answers when it started.
 *
 * The first sync of a customer pages through every PaymentIntent once. Later syncs ask only for
 * those created since the oldest payment that can still change (not succeeded or canceled), or
 * since the newest one when all are final, and never later than shortly before the previous sync:
 * payments made outside this API (or recorded by a charge without a sync) since then are caught
 * too. So one Stripe list call is usually enough however long the history.
 */
export async function syncPayments(deps: PaymentsDeps, customerId: string): Promise<Date> {
  const { ledger, stripe, clock, settings } = deps;
  // Stamped with the start: whatever Stripe creates while this sync runs is caught by the next.
  const startedAt = clock.now();

  const state = await ledger.getSyncState(customerId);
  let since: Date | null = null;
  if (state !== null) {
    const known = await ledger.listPayments(customerId);
    const lastSync = new Date(state.syncedAt.getTime() - settings.syncOverlapMs);
    since = earliest(cursorOf(known), lastSync);
  }

  const found = await stripe.listPaymentIntents(customerId, since);
  await ledger.upsertPayments(found.map((pi) => toPaymentRecord(pi, customerId)));

  await ledger.setSyncState({ customerId, syncedAt: startedAt });
  return startedAt;
}

/** The oldest non-final payment's creation, else the newest payment's; null when none. */
function cursorOf(payments: readonly PaymentRecord[]): Date | null {
  let oldestOpen: Date | null = null;
  let newest: Date | null = null;
  for (const payment of payments) {
    if (newest === null || payment.created > newest) newest = payment.created;
    if (!isFinalStatus(payment.status)) {
      if (oldestOpen === null || payment.created < oldestOpen) oldestOpen = payment.created;
    }
  }
  return oldestOpen ?? newest;
}

function earliest(a: Date | null, b: Date): Date {
  return a !== null && a < b ? a : b;
}
