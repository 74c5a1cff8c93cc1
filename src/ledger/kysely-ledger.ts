import { type Kysely, sql } from 'kysely';
import type { Ledger } from '../payments/ledger.ts';
import {
  countPendingAttempts,
  insertAttempt,
  listPendingAttempts,
  resolveAttempt,
} from './attempts.ts';
import { confirmCustomer, findCustomerByEmail, releaseEmail, reserveEmail } from './customers.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeIdempotencyKeys,
  releaseIdempotencyKey,
} from './idempotency.ts';
import { listPayments, syncCursor, upsertPayments } from './payments.ts';
import type { LedgerDatabase } from './schema.ts';
import { getSyncState, setSyncState } from './sync-state.ts';

/**
 * The `Ledger` port over a migrated Kysely database: each method delegates to the module that owns
 * its table. `db` may be scoped to a PostgreSQL schema; `root` is the handle to destroy on close.
 */
export function createKyselyLedger(
  db: Kysely<LedgerDatabase>,
  root: Kysely<LedgerDatabase>,
): Ledger {
  return {
    claimIdempotencyKey: (input) => claimIdempotencyKey(db, input),
    completeIdempotencyKey: (input) => completeIdempotencyKey(db, input),
    releaseIdempotencyKey: (scope, key) => releaseIdempotencyKey(db, scope, key),
    purgeIdempotencyKeys: (createdBefore) => purgeIdempotencyKeys(db, createdBefore),

    reserveEmail: (email, now, options) => reserveEmail(db, email, now, options),
    confirmCustomer: (email, stripeCustomerId, now) =>
      confirmCustomer(db, email, stripeCustomerId, now),
    releaseEmail: (email) => releaseEmail(db, email),
    findCustomerByEmail: (email) => findCustomerByEmail(db, email),

    insertAttempt: (attempt) => insertAttempt(db, attempt),
    resolveAttempt: (attemptId, result) => resolveAttempt(db, attemptId, result),
    listPendingAttempts: (updatedBefore, limit) => listPendingAttempts(db, updatedBefore, limit),
    countPendingAttempts: () => countPendingAttempts(db),

    upsertPayments: (payments) => upsertPayments(db, payments),
    listPayments: (customerId, status) => listPayments(db, customerId, status),
    syncCursor: (customerId) => syncCursor(db, customerId),
    getSyncState: (customerId) => getSyncState(db, customerId),
    setSyncState: (state) => setSyncState(db, state),

    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => root.destroy(),
  };
}
