import type { Kysely } from 'kysely';
import type {
  ClaimIdempotencyInput,
  CompleteIdempotencyInput,
  IdempotencyClaim,
  IdempotencyScope,
} from '../payments/ledger.ts';
import type { LedgerDatabase } from './schema.ts';
import { toMillis } from './time.ts';

/**
 * A claim is settled in at most three statements, none of them a read-then-write: insert if absent,
 * else take over an expired lease with a compare-and-set, else read what is there. The read can
 * find the row gone (released or purged in between); then the claim starts over, a bounded number
 * of times, since each round means another request made progress.
 */
const MAX_CLAIM_ROUNDS = 5;

export async function claimIdempotencyKey(
  db: Kysely<LedgerDatabase>,
  input: ClaimIdempotencyInput,
): Promise<IdempotencyClaim> {
  const now = toMillis(input.now);
  const lockedUntil = now + input.leaseMs;

  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({
        scope: input.scope,
        idempotency_key: input.key,
        request_hash: input.requestHash,
        state: 'in_progress',
        response_status: null,
        response_body: null,
        locked_until: lockedUntil,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['scope', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
      return { outcome: 'claimed' };
    }

    // The holder crashed (its lease ran out): a request with the same body may carry on for it.
    // Only one of several racing takers can match `locked_until <= now`, since the winner moves it.
    const takenOver = await db
      .updateTable('idempotency_keys')
      .set({ locked_until: lockedUntil, updated_at: now })
      .where('scope', '=', input.scope)
      .where('idempotency_key', '=', input.key)
      .where('state', '=', 'in_progress')
      .where('request_hash', '=', input.requestHash)
      .where('locked_until', '<=', now)
      .executeTakeFirst();
    if (Number(takenOver.numUpdatedRows) === 1) {
      return { outcome: 'claimed' };
    }

    const row = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'state', 'response_status', 'response_body'])
      .where('scope', '=', input.scope)
      .where('idempotency_key', '=', input.key)
      .executeTakeFirst();
    if (row === undefined) {
      continue;
    }
    if (row.request_hash !== input.requestHash) {
      return { outcome: 'mismatch' };
    }
    if (row.state === 'completed' && row.response_status !== null) {
      return {
        outcome: 'replay',
        status: row.response_status,
        body: row.response_body === null ? null : JSON.parse(row.response_body),
      };
    }
    // Held by another request whose lease still runs, or one that expired only just now and
    // another taker won: either way someone is working on it.
    return { outcome: 'in_progress' };
  }
  throw new Error('ledger: idempotency key kept changing while it was being claimed');
}

/**
 * Stores the answer. Only a key still in progress is completed: if a crashed holder's key was taken
 * over and both finish, the first answer stays, so every replay answers the same.
 */
export async function completeIdempotencyKey(
  db: Kysely<LedgerDatabase>,
  input: CompleteIdempotencyInput,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      state: 'completed',
      response_status: input.status,
      // `undefined` has no JSON form; it is stored (and replayed) as null.
      response_body: JSON.stringify(input.body ?? null),
      updated_at: toMillis(input.now),
    })
    .where('scope', '=', input.scope)
    .where('idempotency_key', '=', input.key)
    .where('state', '=', 'in_progress')
    .execute();
}

/** Deletes a key still in progress; a completed answer is kept (it must go on replaying). */
export async function releaseIdempotencyKey(
  db: Kysely<LedgerDatabase>,
  scope: IdempotencyScope,
  key: string,
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('idempotency_key', '=', key)
    .where('state', '=', 'in_progress')
    .execute();
}

export async function purgeIdempotencyKeys(
  db: Kysely<LedgerDatabase>,
  createdBefore: Date,
): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', toMillis(createdBefore))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
