import type { PaymentsDeps } from './deps.ts';
import { toPaymentRecord } from './record.ts';
import type { StripePaymentIntent } from './stripe-port.ts';

/** A sync under way: where it asks Stripe from, and when it started. */
export interface SyncPlan {
  /** List PaymentIntents created at or after this; null: all of them (a first sync). */
  since: Date | null;
  /** Stamped with the start: whatever Stripe creates while the sync runs is caught by the next. */
  startedAt: Date;
}

/**
 * Plans a customer's incremental sync from the ledger alone.
 *
 * The first sync of a customer pages through every PaymentIntent once. Later syncs ask only for
 * those created since the oldest payment that can still change (not succeeded or canceled), or
 * since the newest one when all are final, and never later than shortly before the previous sync:
 * payments made outside this API (or recorded by a charge without a sync) since then are caught
 * too. So one Stripe list call is usually enough however long the history.
 */
export async function planSync(deps: PaymentsDeps, customerId: string): Promise<SyncPlan> {
  const { ledger, clock, settings } = deps;
  const startedAt = clock.now();

  const state = await ledger.getSyncState(customerId);
  if (state === null) return { since: null, startedAt };

  const cursor = await ledger.syncCursor(customerId);
  const lastSync = new Date(state.syncedAt.getTime() - settings.syncOverlapMs);
  return { since: cursor !== null && cursor < lastSync ? cursor : lastSync, startedAt };
}

/** Records what a sync found and marks the customer synced as of the plan's start. */
export async function recordSync(
  deps: PaymentsDeps,
  customerId: string,
  plan: SyncPlan,
  found: readonly StripePaymentIntent[],
): Promise<void> {
  await deps.ledger.upsertPayments(found.map((pi) => toPaymentRecord(pi, customerId)));
  await deps.ledger.setSyncState({ customerId, syncedAt: plan.startedAt });
}
