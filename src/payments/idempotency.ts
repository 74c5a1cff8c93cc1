import type { PaymentsDeps } from './deps.ts';
import { AppError, appError, restoreError, storeError } from './errors.ts';
import type { IdempotencyScope } from './ledger.ts';

/** A service's answer: the HTTP status it maps to and the body. */
export interface Answer<T> {
  status: number;
  body: T;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotentRequest<T> {
  scope: IdempotencyScope;
  /** The client's Idempotency-Key; null runs the work without a record. */
  key: string | null;
  requestHash: string;
  /** Checks a stored success body still has the shape the route answers with. */
  parseStored(body: unknown): T | null;
}

/**
 * Runs `work` at most once per key: claim -> run -> complete.
 *
 * - A final answer (success or a 4xx) is stored and replayed to every later request with the
 *   same key and body, as Stripe does.
 * - A 5xx, or any unexpected failure, means the outcome is unknown or unfinished: the key is
 *   released so the client may retry. The retry is safe because every Stripe write carries a key
 *   derived from this request (see keys.ts), so Stripe replays instead of acting twice.
 * - A holder that crashed keeps the key until its lease runs out; then a retry takes over.
 */
export async function runIdempotent<T>(
  deps: Pick<PaymentsDeps, 'ledger' | 'clock' | 'logger' | 'settings'>,
  request: IdempotentRequest<T>,
  work: () => Promise<{ status: number; body: T }>,
): Promise<Answer<T>> {
  const { ledger, clock, settings } = deps;
  const { scope, key } = request;
  if (key === null) {
    return { ...(await work()), replayed: false };
  }

  const claim = await ledger.claimIdempotencyKey({
    scope,
    key,
    requestHash: request.requestHash,
    now: clock.now(),
    leaseMs: settings.leaseMs,
  });
  if (claim.outcome === 'in_progress') throw appError('idempotency_key_in_use');
  if (claim.outcome === 'mismatch') throw appError('idempotency_key_reused');
  if (claim.outcome === 'replay') return replay(claim.status, claim.body, request);

  let answer: { status: number; body: T };
  try {
    answer = await work();
  } catch (error) {
    await settleFailure(deps, scope, key, error);
    throw error;
  }
  await ledger.completeIdempotencyKey({ scope, key, ...answer, now: clock.now() });
  return { ...answer, replayed: false };
}

async function settleFailure(
  deps: Pick<PaymentsDeps, 'ledger' | 'clock' | 'logger'>,
  scope: IdempotencyScope,
  key: string,
  error: unknown,
): Promise<void> {
  try {
    if (error instanceof AppError && !error.transient) {
      await deps.ledger.completeIdempotencyKey({
        scope,
        key,
        status: error.status,
        body: storeError(error),
        now: deps.clock.now(),
      });
    } else {
      await deps.ledger.releaseIdempotencyKey(scope, key);
    }
  } catch (settleError) {
    // The original failure is what the client must see; the lease frees the key in time.
    deps.logger.error({ err: settleError, scope }, 'idempotency key not settled');
  }
}

function replay<T>(status: number, body: unknown, request: IdempotentRequest<T>): Answer<T> {
  if (status >= 400) {
    const stored = restoreError(body);
    if (stored !== null) throw stored;
  } else {
    const parsed = request.parseStored(body);
    if (parsed !== null) return { status, body: parsed, replayed: true };
  }
  throw appError('internal_error', {
    logContext: { reason: 'stored idempotent answer has an unexpected shape', status },
  });
}
