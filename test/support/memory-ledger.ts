import {
  type ClaimIdempotencyInput,
  type CompleteIdempotencyInput,
  type CustomerRecord,
  type EmailReservation,
  type IdempotencyClaim,
  type IdempotencyScope,
  isFinalStatus,
  type Ledger,
  type PaymentAttempt,
  type PaymentRecord,
  type ReserveEmailOptions,
  type SyncState,
  statusRank,
} from '../../src/payments/ledger.ts';

/** A reserved or registered email; `owner` and `updatedAt` drive reservation takeovers. */
interface CustomerRow {
  stripeCustomerId: string | null;
  owner: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface KeyRow {
  requestHash: string;
  state: 'in_progress' | 'completed';
  status: number | null;
  body: string | null;
  lockedUntil: number;
  createdAt: number;
}

/**
 * An in-memory ledger with the same rules as the Kysely one (insert-if-absent claims, lease
 * takeover, monotonic statuses), for unit tests of the domain. Its maps are open for assertions.
 */
export class MemoryLedger implements Ledger {
  readonly keys = new Map<string, KeyRow>();
  readonly customers = new Map<string, CustomerRow>();
  readonly attempts = new Map<string, PaymentAttempt>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly syncStates = new Map<string, Date>();
  closed = false;

  async claimIdempotencyKey(input: ClaimIdempotencyInput): Promise<IdempotencyClaim> {
    const id = keyId(input.scope, input.key);
    const now = input.now.getTime();
    const row = this.keys.get(id);
    if (row === undefined) {
      this.keys.set(id, {
        requestHash: input.requestHash,
        state: 'in_progress',
        status: null,
        body: null,
        lockedUntil: now + input.leaseMs,
        createdAt: now,
      });
      return { outcome: 'claimed' };
    }
    const sameBody = row.requestHash === input.requestHash;
    if (sameBody && row.state === 'in_progress' && row.lockedUntil <= now) {
      row.lockedUntil = now + input.leaseMs;
      return { outcome: 'claimed' };
    }
    if (!sameBody) return { outcome: 'mismatch' };
    if (row.state === 'completed' && row.status !== null) {
      return { outcome: 'replay', status: row.status, body: JSON.parse(row.body ?? 'null') };
    }
    return { outcome: 'in_progress' };
  }

  async completeIdempotencyKey(input: CompleteIdempotencyInput): Promise<void> {
    const row = this.keys.get(keyId(input.scope, input.key));
    if (row === undefined || row.state !== 'in_progress') return;
    row.state = 'completed';
    row.status = input.status;
    row.body = JSON.stringify(input.body ?? null);
  }

  async releaseIdempotencyKey(scope: IdempotencyScope, key: string): Promise<void> {
    const id = keyId(scope, key);
    if (this.keys.get(id)?.state === 'in_progress') this.keys.delete(id);
  }

  async purgeIdempotencyKeys(createdBefore: Date): Promise<number> {
    let purged = 0;
    for (const [id, row] of this.keys) {
      if (row.createdAt < createdBefore.getTime()) {
        this.keys.delete(id);
        purged += 1;
      }
    }
    return purged;
  }

  async reserveEmail(
    email: string,
    now: Date,
    options: ReserveEmailOptions,
  ): Promise<EmailReservation> {
    const row = this.customers.get(email);
    if (row === undefined) {
      const owner = options.owner;
      this.customers.set(email, { stripeCustomerId: null, owner, createdAt: now, updatedAt: now });
      return { outcome: 'reserved', takenOver: false };
    }
    if (row.stripeCustomerId !== null) {
      return { outcome: 'taken', stripeCustomerId: row.stripeCustomerId };
    }
    const mine = row.owner === options.owner;
    if (mine || row.updatedAt.getTime() < now.getTime() - options.leaseMs) {
      row.owner = options.owner;
      row.updatedAt = now;
      return { outcome: 'reserved', takenOver: !mine };
    }
    return { outcome: 'taken', stripeCustomerId: null };
  }

  async confirmCustomer(email: string, stripeCustomerId: string, now: Date): Promise<void> {
    const row = this.customers.get(email);
    if (row !== undefined && row.stripeCustomerId !== null) {
      if (row.stripeCustomerId !== stripeCustomerId) {
        throw new Error('memory ledger: email already belongs to another Stripe customer');
      }
      return;
    }
    this.customers.set(email, {
      stripeCustomerId,
      owner: row?.owner ?? null,
      createdAt: row?.createdAt ?? now,
      updatedAt: now,
    });
  }

  async releaseEmail(email: string): Promise<void> {
    if (this.customers.get(email)?.stripeCustomerId === null) this.customers.delete(email);
  }

  async findCustomerByEmail(email: string): Promise<CustomerRecord | null> {
    const row = this.customers.get(email);
    if (row === undefined || row.stripeCustomerId === null) return null;
    return { email, stripeCustomerId: row.stripeCustomerId, createdAt: row.createdAt };
  }

  async insertAttempt(attempt: PaymentAttempt): Promise<void> {
    if (this.attempts.has(attempt.id)) throw new Error('memory ledger: duplicate attempt id');
    this.attempts.set(attempt.id, { ...attempt });
  }

  async resolveAttempt(
    attemptId: string,
    result: { status: 'recorded' | 'failed'; paymentIntentId: string | null; now: Date },
  ): Promise<void> {
    const attempt = this.attempts.get(attemptId);
    if (attempt === undefined) return;
    if (result.status === 'failed' && attempt.status !== 'pending') return;
    attempt.status = result.status;
    attempt.paymentIntentId = result.paymentIntentId ?? attempt.paymentIntentId;
    attempt.updatedAt = result.now;
  }

  async listPendingAttempts(updatedBefore: Date, limit: number): Promise<PaymentAttempt[]> {
    return [...this.attempts.values()]
      .filter((a) => a.status === 'pending' && a.updatedAt < updatedBefore)
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || compare(a.id, b.id))
      .slice(0, limit)
      .map((a) => ({ ...a }));
  }

  async countPendingAttempts(): Promise<number> {
    return [...this.attempts.values()].filter((a) => a.status === 'pending').length;
  }

  async upsertPayments(payments: readonly PaymentRecord[]): Promise<void> {
    for (const payment of payments) {
      const known = this.payments.get(payment.id);
      const rises = known === undefined || statusRank(payment.status) >= statusRank(known.status);
      this.payments.set(payment.id, {
        ...payment,
        status: known !== undefined && !rises ? known.status : payment.status,
      });
    }
  }

  async listPayments(customerId: string, status?: string): Promise<PaymentRecord[]> {
    return [...this.payments.values()]
      .filter((p) => p.customerId === customerId && (status === undefined || p.status === status))
      .sort((a, b) => b.created.getTime() - a.created.getTime() || compare(b.id, a.id))
      .map((p) => ({ ...p }));
  }

  async syncCursor(customerId: string): Promise<Date | null> {
    let oldestOpen: Date | null = null;
    let newest: Date | null = null;
    for (const payment of this.payments.values()) {
      if (payment.customerId !== customerId) continue;
      if (newest === null || payment.created > newest) newest = payment.created;
      if (!isFinalStatus(payment.status) && (oldestOpen === null || payment.created < oldestOpen)) {
        oldestOpen = payment.created;
      }
    }
    return oldestOpen ?? newest;
  }

  async getSyncState(customerId: string): Promise<SyncState | null> {
    const syncedAt = this.syncStates.get(customerId);
    return syncedAt === undefined ? null : { customerId, syncedAt };
  }

  async setSyncState(state: SyncState): Promise<void> {
    const known = this.syncStates.get(state.customerId);
    if (known === undefined || state.syncedAt >= known) {
      this.syncStates.set(state.customerId, state.syncedAt);
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

function keyId(scope: IdempotencyScope, key: string): string {
  return `${scope}\n${key}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
