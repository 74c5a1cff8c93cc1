import type { Kysely, Selectable } from 'kysely';
import type { PaymentAttempt } from '../payments/ledger.ts';
import type { LedgerDatabase, PaymentAttemptsTable } from './schema.ts';
import { fromMillis, toMillis } from './time.ts';

export async function insertAttempt(
  db: Kysely<LedgerDatabase>,
  attempt: PaymentAttempt,
): Promise<void> {
  await db
    .insertInto('payment_attempts')
    .values({
      id: attempt.id,
      customer_id: attempt.customerId,
      amount: attempt.amount,
      currency: attempt.currency,
      stripe_idempotency_key: attempt.stripeIdempotencyKey,
      status: attempt.status,
      payment_intent_id: attempt.paymentIntentId,
      created_at: toMillis(attempt.createdAt),
      updated_at: toMillis(attempt.updatedAt),
    })
    .execute();
}

/**
 * Records an attempt's outcome. `recorded` always applies: a PaymentIntent that exists outranks
 * any earlier verdict (the sweeper may have given up on it just before it turned up). `failed`
 * applies only to a pending attempt, so it can never hide a recorded charge. A known
 * PaymentIntent id is never replaced by null.
 */
export async function resolveAttempt(
  db: Kysely<LedgerDatabase>,
  attemptId: string,
  result: { status: 'recorded' | 'failed'; paymentIntentId: string | null; now: Date },
): Promise<void> {
  let query = db
    .updateTable('payment_attempts')
    .set((eb) => ({
      status: result.status,
      payment_intent_id: eb.fn.coalesce(eb.val(result.paymentIntentId), 'payment_intent_id'),
      updated_at: toMillis(result.now),
    }))
    .where('id', '=', attemptId);
  if (result.status === 'failed') {
    query = query.where('status', '=', 'pending');
  }
  await query.execute();
}

/** Pending attempts last touched before the cutoff, oldest first (ties by id, for a stable order). */
export async function listPendingAttempts(
  db: Kysely<LedgerDatabase>,
  updatedBefore: Date,
  limit: number,
): Promise<PaymentAttempt[]> {
  const rows = await db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('status', '=', 'pending')
    .where('updated_at', '<', toMillis(updatedBefore))
    .orderBy('updated_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
  return rows.map(toAttempt);
}

/** The number of pending attempts (served by the status index's leading column). */
export async function countPendingAttempts(db: Kysely<LedgerDatabase>): Promise<number> {
  const row = await db
    .selectFrom('payment_attempts')
    .select((eb) => eb.fn.countAll().as('pending'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.pending ?? 0);
}

function toAttempt(row: Selectable<PaymentAttemptsTable>): PaymentAttempt {
  return {
    id: row.id,
    customerId: row.customer_id,
    amount: row.amount,
    currency: row.currency,
    stripeIdempotencyKey: row.stripe_idempotency_key,
    status: row.status,
    paymentIntentId: row.payment_intent_id,
    createdAt: fromMillis(row.created_at),
    updatedAt: fromMillis(row.updated_at),
  };
}
