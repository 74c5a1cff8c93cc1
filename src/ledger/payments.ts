import type { Kysely, Selectable } from 'kysely';
import { type PaymentRecord, statusRank } from '../payments/ledger.ts';
import type { LedgerDatabase, PaymentsTable } from './schema.ts';
import { fromMillis, toMillis } from './time.ts';

/**
 * Rows per INSERT: 7 parameters each keeps a statement far below SQLite's 32,766 and PostgreSQL's
 * 65,535 bound parameters, while a first sync of a long history still needs few round trips.
 */
const UPSERT_CHUNK = 500;

type PaymentRow = Selectable<PaymentsTable>;

/**
 * Inserts or updates payments. Amount, currency, customer and created follow the newest write;
 * the status only when its rank is at least the stored one, decided inside the statement (a CASE
 * in `ON CONFLICT DO UPDATE`), so concurrent syncs cannot move a status backwards either.
 * Chunks are separate statements: each is atomic, and a half-done batch is repaired by the next
 * sync, since every write is idempotent.
 */
export async function upsertPayments(
  db: Kysely<LedgerDatabase>,
  payments: readonly PaymentRecord[],
): Promise<void> {
  const rows = mergeDuplicates(payments.map(toRow));

  for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
    await db
      .insertInto('payments')
      .values(rows.slice(start, start + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => {
          const rises = eb('excluded.status_rank', '>=', eb.ref('payments.status_rank'));
          return {
            customer_id: eb.ref('excluded.customer_id'),
            amount: eb.ref('excluded.amount'),
            currency: eb.ref('excluded.currency'),
            created: eb.ref('excluded.created'),
            status: eb
              .case()
              .when(rises)
              .then(eb.ref('excluded.status'))
              .else(eb.ref('payments.status'))
              .end(),
            status_rank: eb
              .case()
              .when(rises)
              .then(eb.ref('excluded.status_rank'))
              .else(eb.ref('payments.status_rank'))
              .end(),
          };
        }),
      )
      .execute();
  }
}

/** A customer's payments, newest first, ties by id descending: the order of the index. */
export async function listPayments(
  db: Kysely<LedgerDatabase>,
  customerId: string,
  status?: string,
): Promise<PaymentRecord[]> {
  const rows = await selectPayments(db, customerId, status).execute();
  return rows.map(fromRow);
}

/**
 * Where an incremental sync starts: the creation of the customer's oldest payment that can still
 * change, else of its newest; null when it has none. One aggregate over the customer's index range,
 * so a long history is not read into memory just to find two dates.
 */
export async function syncCursor(
  db: Kysely<LedgerDatabase>,
  customerId: string,
): Promise<Date | null> {
  const finalRank = statusRank('succeeded');
  const row = await db
    .selectFrom('payments')
    .select((eb) => [
      eb.fn.max('created').as('newest'),
      eb.fn
        .min(eb.case().when('status_rank', '<', finalRank).then(eb.ref('created')).end())
        .as('oldest_open'),
    ])
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  const millis = row?.oldest_open ?? row?.newest ?? null;
  return millis === null ? null : fromMillis(Number(millis));
}

/** The history query, on its own so its plan can be checked against the index. */
export function selectPayments(db: Kysely<LedgerDatabase>, customerId: string, status?: string) {
  let query = db.selectFrom('payments').selectAll().where('customer_id', '=', customerId);
  if (status !== undefined) {
    query = query.where('status', '=', status);
  }
  return query.orderBy('created', 'desc').orderBy('id', 'desc');
}

/**
 * One statement cannot touch a row twice (PostgreSQL refuses it), so a batch naming one payment
 * several times is folded first, by the same rule the SQL applies.
 */
function mergeDuplicates(rows: PaymentRow[]): PaymentRow[] {
  const byId = new Map<string, PaymentRow>();
  for (const row of rows) {
    const earlier = byId.get(row.id);
    if (earlier === undefined || row.status_rank >= earlier.status_rank) {
      byId.set(row.id, row);
    } else {
      byId.set(row.id, { ...row, status: earlier.status, status_rank: earlier.status_rank });
    }
  }
  return [...byId.values()];
}

function toRow(payment: PaymentRecord): PaymentRow {
  return {
    id: payment.id,
    customer_id: payment.customerId,
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    status_rank: statusRank(payment.status),
    created: toMillis(payment.created),
  };
}

function fromRow(row: PaymentRow): PaymentRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    created: fromMillis(row.created),
  };
}
