import type { Kysely } from 'kysely';
import type { SyncState } from '../payments/ledger.ts';
import type { LedgerDatabase } from './schema.ts';
import { fromMillis, toMillis } from './time.ts';

export async function getSyncState(
  db: Kysely<LedgerDatabase>,
  customerId: string,
): Promise<SyncState | null> {
  const row = await db
    .selectFrom('sync_state')
    .select(['customer_id', 'synced_at'])
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row === undefined
    ? null
    : { customerId: row.customer_id, syncedAt: fromMillis(row.synced_at) };
}

/** Never moves backwards: a slow sync finishing after a newer one keeps the newer time. */
export async function setSyncState(db: Kysely<LedgerDatabase>, state: SyncState): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({ customer_id: state.customerId, synced_at: toMillis(state.syncedAt) })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet((eb) => ({ synced_at: eb.ref('excluded.synced_at') }))
        .whereRef('excluded.synced_at', '>=', 'sync_state.synced_at'),
    )
    .execute();
}
