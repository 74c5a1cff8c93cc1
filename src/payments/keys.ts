import { createHash, randomUUID } from 'node:crypto';
import type { IdempotencyScope } from './ledger.ts';

/**
 * Keys derived from a request. Every Stripe write carries an idempotency key computed from the
 * client's `Idempotency-Key`, the request body and the operation, so a retry of the same request
 * (ours, the SDK's or the client's) replays at Stripe instead of acting twice:
 * - the body is part of it, so a key reused with another body (after ours expired) cannot collide
 *   with Stripe's record of the first body;
 * - the operation is part of it, because Stripe binds a key to the endpoint it was first used on.
 */

/** The Stripe writes this service makes; each gets its own key. */
export type StripeOperation = 'create_payment_method' | 'create_customer' | 'create_payment_intent';

/** A stable hash of a request's meaning: the canonical JSON of its normalized input. */
export function requestHash(input: Record<string, string | number>): string {
  const canonical = Object.keys(input)
    .sort()
    .map((name) => [name, input[name]]);
  return sha256(JSON.stringify(canonical));
}

/**
 * The root from which a request's Stripe keys are derived: deterministic for a client key, fresh
 * for a request that has none (such a request cannot be retried safely by the client anyway).
 */
export function keyRoot(scope: IdempotencyScope, clientKey: string | null, hash: string): string {
  if (clientKey === null) return `papi_${randomUUID().replaceAll('-', '')}`;
  return `papi_${sha256(`${scope}\n${clientKey}\n${hash}`).slice(0, 40)}`;
}

/** The idempotency key for one Stripe write of a request (at most 70 characters). */
export function stripeKey(root: string, operation: StripeOperation): string {
  return `${root}_${operation}`;
}

/** A fresh id for a payment attempt. */
export function newAttemptId(): string {
  return `att_${randomUUID().replaceAll('-', '')}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The Idempotency-Key as the ledger and Stripe see it: namespaced by the caller (the label of its
 * API key), so two clients that happen to choose the same key never share a record, a replay or a
 * Stripe key. A client's key is printable ASCII, never a newline, so no two (caller, key) pairs
 * give the same value, and a key sent with open access (no caller) stays as it was.
 */
export function callerScopedKey(caller: string | null, key: string | null): string | null {
  if (caller === null || key === null) return key;
  return `${caller}\n${key}`;
}
