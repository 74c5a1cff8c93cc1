import type { Kysely } from 'kysely';
import type { CustomerRecord, EmailReservation, ReserveEmailOptions } from '../payments/ledger.ts';
import type { LedgerDatabase } from './schema.ts';
import { fromMillis, toMillis } from './time.ts';

/** See `claimIdempotencyKey`: a reservation released between the statements starts over. */
const MAX_RESERVE_ROUNDS = 5;

/**
 * Reserves an email in at most four statements, none of them a read-then-write: insert if absent;
 * else take back a pending reservation of the same owner; else take over another owner's pending
 * reservation whose lease ran out; else read what is there. The primary key settles racing
 * inserts, and each takeover is a compare-and-set: the winner moves `updated_at` to `now`, so
 * the condition no longer holds for the others (PostgreSQL re-checks it on the row the winner
 * wrote; SQLite runs one writer at a time). A confirmed customer matches neither update.
 */
export async function reserveEmail(
  db: Kysely<LedgerDatabase>,
  email: string,
  now: Date,
  options: ReserveEmailOptions,
): Promise<EmailReservation> {
  const ms = toMillis(now);
  const { owner } = options;

  for (let round = 0; round < MAX_RESERVE_ROUNDS; round++) {
    const inserted = await db
      .insertInto('customers')
      .values({
        email,
        stripe_customer_id: null,
        registration_key: owner,
        created_at: ms,
        updated_at: ms,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
      return { outcome: 'reserved', takenOver: false };
    }

    // The same request again (a retry with its key): it carries on with its own reservation.
    const retaken = await db
      .updateTable('customers')
      .set({ updated_at: ms })
      .where('email', '=', email)
      .where('stripe_customer_id', 'is', null)
      .where('registration_key', '=', owner)
      .executeTakeFirst();
    if (Number(retaken.numUpdatedRows) === 1) {
      return { outcome: 'reserved', takenOver: false };
    }

    // Another registration left its reservation behind (a crash, or a failure whose outcome at
    // Stripe was unknown) and its lease ran out.
    const takenOver = await db
      .updateTable('customers')
      .set({ registration_key: owner, updated_at: ms })
      .where('email', '=', email)
      .where('stripe_customer_id', 'is', null)
      .where('updated_at', '<', ms - options.leaseMs)
      .where((eb) =>
        eb.or([eb('registration_key', 'is', null), eb('registration_key', '<>', owner)]),
      )
      .executeTakeFirst();
    if (Number(takenOver.numUpdatedRows) === 1) {
      return { outcome: 'reserved', takenOver: true };
    }

    const row = await db
      .selectFrom('customers')
      .select('stripe_customer_id')
      .where('email', '=', email)
      .executeTakeFirst();
    if (row !== undefined) {
      return { outcome: 'taken', stripeCustomerId: row.stripe_customer_id };
    }
  }
  throw new Error('ledger: email reservation kept changing while it was being reserved');
}

/**
 * Binds the email to its Stripe customer. An upsert, so a reservation lost in between (released by
 * an operator, say) cannot lose a customer that Stripe now has. Binding an email that already
 * belongs to another customer is a bug in the caller, and throws.
 */
export async function confirmCustomer(
  db: Kysely<LedgerDatabase>,
  email: string,
  stripeCustomerId: string,
  now: Date,
): Promise<void> {
  const ms = toMillis(now);

  const result = await db
    .insertInto('customers')
    .values({ email, stripe_customer_id: stripeCustomerId, created_at: ms, updated_at: ms })
    .onConflict((oc) =>
      oc
        .column('email')
        .doUpdateSet((eb) => ({
          stripe_customer_id: eb.ref('excluded.stripe_customer_id'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('customers.stripe_customer_id', 'is', null),
            eb('customers.stripe_customer_id', '=', eb.ref('excluded.stripe_customer_id')),
          ]),
        ),
    )
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
    throw new Error('ledger: email already belongs to another Stripe customer');
  }
}

/** Deletes a reservation; a confirmed customer is never removed this way. */
export async function releaseEmail(db: Kysely<LedgerDatabase>, email: string): Promise<void> {
  await db
    .deleteFrom('customers')
    .where('email', '=', email)
    .where('stripe_customer_id', 'is', null)
    .execute();
}

/** A confirmed customer; a pending reservation answers null. */
export async function findCustomerByEmail(
  db: Kysely<LedgerDatabase>,
  email: string,
): Promise<CustomerRecord | null> {
  const row = await db
    .selectFrom('customers')
    .select(['email', 'stripe_customer_id', 'created_at'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (row === undefined || row.stripe_customer_id === null) {
    return null;
  }
  return {
    email: row.email,
    stripeCustomerId: row.stripe_customer_id,
    createdAt: fromMillis(row.created_at),
  };
}
