import type { Clock } from './clock.ts';
import type { Ledger } from './ledger.ts';
import type { StripePort } from './stripe-port.ts';

/** The part of a pino logger the domain uses: fields first, then a short fixed message. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PaymentsSettings {
  /**
   * How long a request holds its idempotency key, and how old a pending attempt must be before
   * the sweeper looks at it. Longer than any request can run, so nobody takes over live work.
   */
  leaseMs: number;
  /** After this long, a pending attempt with no PaymentIntent in Stripe is marked failed. */
  attemptGraceMs: number;
  /** Idempotency keys are kept at least this long (Stripe keeps its own for 24 hours). */
  idempotencyTtlMs: number;
  /**
   * How far before the last sync an incremental sync starts: covers PaymentIntents created while
   * that sync ran and any skew between our clock and Stripe's.
   */
  syncOverlapMs: number;
}

/** Defaults for settings the configuration does not expose. */
export const DEFAULT_SETTINGS: PaymentsSettings = {
  leaseMs: 150_000,
  attemptGraceMs: 15 * 60_000,
  idempotencyTtlMs: 24 * 60 * 60_000,
  syncOverlapMs: 5 * 60_000,
};

/** Everything the domain's services need, injected. */
export interface PaymentsDeps {
  ledger: Ledger;
  stripe: StripePort;
  clock: Clock;
  logger: Logger;
  settings: PaymentsSettings;
}
