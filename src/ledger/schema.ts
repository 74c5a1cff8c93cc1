/**
 * The ledger's tables as Kysely sees them. Every instant is stored as an integer number of
 * milliseconds since the epoch (`bigint` columns): one representation for SQLite and PostgreSQL,
 * converted to `Date` at the edge of each repository module.
 */

/** `customers`: one row per email this service reserved or registered. */
export interface CustomersTable {
  /** Trimmed, lower-cased; the primary key is what makes registration race-safe. */
  email: string;
  /** Null while the Stripe customer is being created; unique once set. */
  stripe_customer_id: string | null;
  /**
   * The owner of the reservation: the key root of the registration that reserved it (null on
   * rows written before migration 0002, or confirmed without a reservation).
   */
  registration_key: string | null;
  created_at: number;
  /** When the reservation was last taken; its lease runs from here. */
  updated_at: number;
}

/** `payment_attempts`: one row per POST /api/payments, written before Stripe is called. */
export interface PaymentAttemptsTable {
  id: string;
  customer_id: string;
  amount: number;
  currency: string;
  stripe_idempotency_key: string;
  status: 'pending' | 'recorded' | 'failed';
  payment_intent_id: string | null;
  created_at: number;
  updated_at: number;
}

/** `payments`: the history cache, one row per PaymentIntent. */
export interface PaymentsTable {
  id: string;
  customer_id: string;
  amount: number;
  currency: string;
  status: string;
  /** `statusRank(status)`, stored so the never-backwards rule can be enforced inside SQL. */
  status_rank: number;
  /** When Stripe created the PaymentIntent. */
  created: number;
}

/** `idempotency_keys`: one row per (scope, key) a client sent. */
export interface IdempotencyKeysTable {
  scope: string;
  idempotency_key: string;
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  /**
   * The answer as JSON text, not `jsonb`: jsonb reorders object keys, and a replay must be the
   * same document the first request answered.
   */
  response_body: string | null;
  /** Until when the holder's claim stands; after it another request with the same body may take over. */
  locked_until: number;
  created_at: number;
  updated_at: number;
}

/** `sync_state`: when each customer's history was last synced from Stripe. */
export interface SyncStateTable {
  customer_id: string;
  synced_at: number;
}

export interface LedgerDatabase {
  customers: CustomersTable;
  payment_attempts: PaymentAttemptsTable;
  payments: PaymentsTable;
  idempotency_keys: IdempotencyKeysTable;
  sync_state: SyncStateTable;
}
