/**
 * The port through which the domain reaches its durable record. Two implementations: the Kysely
 * ledger in `src/ledger` (SQLite or PostgreSQL) and the in-memory fake the unit tests use.
 *
 * Every method must be safe when several API processes share one PostgreSQL database: races are
 * settled by unique keys and conditional updates in the database, never by process memory.
 */

/** Which POST an idempotency key belongs to; a key used on one route is unrelated to the other. */
export type IdempotencyScope = 'customer' | 'payment';

export type IdempotencyClaim =
  /** This request now holds the key and must finish with complete or release. */
  | { outcome: 'claimed' }
  /** An earlier request with this key and body finished: answer exactly what it answered. */
  | { outcome: 'replay'; status: number; body: unknown }
  /** Another request holds the key and its lease has not run out. */
  | { outcome: 'in_progress' }
  /** The key was first used with another request body. */
  | { outcome: 'mismatch' };

export interface ClaimIdempotencyInput {
  scope: IdempotencyScope;
  key: string;
  /** A hash of the canonical request body. */
  requestHash: string;
  now: Date;
  /** How long the claim holds before another request may take the key over (a crashed holder). */
  leaseMs: number;
}

export interface CompleteIdempotencyInput {
  scope: IdempotencyScope;
  key: string;
  status: number;
  body: unknown;
  now: Date;
}

/** Who reserves an email, and for how long nobody else may take the reservation over. */
export interface ReserveEmailOptions {
  /** The registration's key root: the same request (a retry with the same key) has the same. */
  owner: string;
  /** After this long without being taken again, a pending reservation may be taken over. */
  leaseMs: number;
}

export type EmailReservation =
  /**
   * The caller holds the reservation. `takenOver` is true when it was another owner's pending
   * reservation whose lease had run out: that registration may have created a Stripe customer.
   */
  | { outcome: 'reserved'; takenOver: boolean }
  /** The email already belongs to a customer; the id is null while its creation is under way. */
  | { outcome: 'taken'; stripeCustomerId: string | null };

/** A customer this service registered. */
export interface CustomerRecord {
  email: string;
  stripeCustomerId: string;
  createdAt: Date;
}

export type AttemptStatus = 'pending' | 'recorded' | 'failed';

/** One call of POST /api/payments, written before Stripe is called. */
export interface PaymentAttempt {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  /** The idempotency key the Stripe write carries, so the sweeper can repeat or find it. */
  stripeIdempotencyKey: string;
  status: AttemptStatus;
  paymentIntentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A PaymentIntent as the ledger keeps it for the history. */
export interface PaymentRecord {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  status: string;
  /** When Stripe created it. */
  created: Date;
}

export interface SyncState {
  customerId: string;
  /** When the last full or incremental sync finished. */
  syncedAt: Date;
}

export interface Ledger {
  claimIdempotencyKey(input: ClaimIdempotencyInput): Promise<IdempotencyClaim>;
  completeIdempotencyKey(input: CompleteIdempotencyInput): Promise<void>;
  /** Gives the key up without an answer (a transient failure), so a retry may run it again. */
  releaseIdempotencyKey(scope: IdempotencyScope, key: string): Promise<void>;
  /** Removes keys created before the cutoff; answers how many went. */
  purgeIdempotencyKeys(createdBefore: Date): Promise<number>;

  /**
   * Reserves an email (already trimmed and lower-cased) for a customer about to be created:
   * inserts it if absent; else takes over a pending reservation (no customer id yet) that belongs
   * to the same owner, or whose `updated_at` is older than `now - leaseMs`. Of concurrent
   * takeovers exactly one wins. A confirmed customer is never taken over: that answers `taken`.
   */
  reserveEmail(email: string, now: Date, options: ReserveEmailOptions): Promise<EmailReservation>;
  /** Binds a reserved email to the Stripe customer made for it. */
  confirmCustomer(email: string, stripeCustomerId: string, now: Date): Promise<void>;
  /** Frees a reservation whose customer could not be created. */
  releaseEmail(email: string): Promise<void>;
  findCustomerByEmail(email: string): Promise<CustomerRecord | null>;

  insertAttempt(attempt: PaymentAttempt): Promise<void>;
  resolveAttempt(
    attemptId: string,
    result: { status: 'recorded' | 'failed'; paymentIntentId: string | null; now: Date },
  ): Promise<void>;
  /** Pending attempts last touched before the cutoff, oldest first. */
  listPendingAttempts(updatedBefore: Date, limit: number): Promise<PaymentAttempt[]>;
  /** How many attempts are pending (in flight, or waiting for the sweeper); for monitoring. */
  countPendingAttempts(): Promise<number>;

  /** Inserts or updates payments; a status never goes backwards (see `statusRank`). */
  upsertPayments(payments: readonly PaymentRecord[]): Promise<void>;
  /** A customer's payments, newest first (ties broken by id, descending). */
  listPayments(customerId: string, status?: string): Promise<PaymentRecord[]>;
  /**
   * Where the next incremental sync of a customer starts: the creation of its oldest payment that
   * is not final (`isFinalStatus`), else of its newest payment; null when it has none.
   */
  syncCursor(customerId: string): Promise<Date | null>;
  getSyncState(customerId: string): Promise<SyncState | null>;
  setSyncState(state: SyncState): Promise<void>;

  /** Answers when the database does; used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How far along a PaymentIntent status is. An update may keep or raise the rank, never lower it,
 * so a stale read from Stripe cannot undo a newer one. Unknown statuses rank lowest.
 */
export function statusRank(status: string): number {
  return STATUS_RANK[status] ?? 0;
}

const STATUS_RANK: Record<string, number> = {
  requires_payment_method: 1,
  requires_confirmation: 2,
  requires_action: 3,
  processing: 4,
  requires_capture: 5,
  canceled: 6,
  succeeded: 6,
};

/** Statuses after which Stripe changes a PaymentIntent no more. */
export function isFinalStatus(status: string): boolean {
  return status === 'succeeded' || status === 'canceled';
}
