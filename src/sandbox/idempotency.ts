/**
 * Idempotent POSTs (stripe-semantics.md §5.1, §10.7). A record is scoped by the caller's API key
 * and the `Idempotency-Key`, and remembers the endpoint, a fingerprint of the parameters, and the
 * answer. The same request again replays the answer; other parameters or another endpoint get 400
 * `idempotency_error`; a request while the first is still executing gets 409
 * `idempotency_key_in_use`. Requests refused by validation are not recorded; records expire after
 * 24 hours.
 */
import { createHash } from 'node:crypto';
import { invalidRequest, StripeError } from './errors.ts';
import type { Json } from './json.ts';
import type { IdempotencyRecord, Store } from './store.ts';

const TTL_SECONDS = 24 * 60 * 60;
const PRUNE_EVERY_SECONDS = 60 * 60;
const MAX_KEY_LENGTH = 255;

/** What the idempotency layer decided for a request. */
export type Admission =
  | { kind: 'execute'; scope: string }
  | { kind: 'replay'; record: IdempotencyRecord }
  | { kind: 'refuse'; error: StripeError };

function canonical(value: Json | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A digest of the parameters that ignores their order. */
export function fingerprintParams(params: Json): string {
  return createHash('sha256').update(canonical(params)).digest('base64url');
}

function idempotencyError(message: string): StripeError {
  return new StripeError(400, { type: 'idempotency_error', message });
}

export class Idempotency {
  /** Scopes of requests executing now; process memory is enough, one process owns the store. */
  private readonly inFlight = new Set<string>();
  /** Digests of API keys seen; records hold a digest, never a key. */
  private readonly keyDigests = new Map<string, string>();
  private lastPrune = 0;

  constructor(private readonly store: Store) {}

  /** Validates the header value; throws 400 for a key Stripe would refuse. */
  static checkKey(key: string): void {
    if (key.length > MAX_KEY_LENGTH) {
      throw invalidRequest(
        `Invalid Idempotency-Key: it must be at most ${MAX_KEY_LENGTH} characters long.`,
        'Idempotency-Key',
      );
    }
  }

  /**
   * Decides whether the request executes (and reserves the key), replays a stored answer, or is
   * refused. `now` is in unix seconds.
   */
  admit(
    apiKey: string,
    key: string,
    endpoint: string,
    fingerprint: string,
    now: number,
  ): Admission {
    let digest = this.keyDigests.get(apiKey);
    if (digest === undefined) {
      digest = createHash('sha256').update(apiKey).digest('base64url').slice(0, 22);
      if (this.keyDigests.size < 1000) this.keyDigests.set(apiKey, digest);
    }
    const scope = `${digest}:${key}`;
    if (this.inFlight.has(scope)) {
      const error = invalidRequest(
        'There is currently another in-progress request using this Idempotent Key (that probably ' +
          `means you submitted twice, and the other request is still going through): ${key}. ` +
          'Please try again later.',
        undefined,
        'idempotency_key_in_use',
      );
      return { kind: 'refuse', error: new StripeError(409, error.fields) };
    }

    const record = this.store.getIdempotency(scope);
    if (record && record.created > now - TTL_SECONDS) {
      const retry = `Try using a key other than '${key}' if you meant to execute a different request.`;
      if (record.endpoint !== endpoint) {
        return {
          kind: 'refuse',
          error: idempotencyError(
            'Keys for idempotent requests can only be used for the same endpoint they were ' +
              `first used for ('${pathOf(record.endpoint)}' vs '${pathOf(endpoint)}'). ${retry}`,
          ),
        };
      }
      if (record.fingerprint !== fingerprint) {
        return {
          kind: 'refuse',
          error: idempotencyError(
            'Keys for idempotent requests can only be used with the same parameters they were ' +
              `first used with. ${retry}`,
          ),
        };
      }
      return { kind: 'replay', record };
    }

    this.inFlight.add(scope);
    return { kind: 'execute', scope };
  }

  /** Stores the answer of an executed request; call inside the request's transaction. */
  record(record: IdempotencyRecord): void {
    this.store.putIdempotency(record);
    if (record.created - this.lastPrune >= PRUNE_EVERY_SECONDS) {
      this.lastPrune = record.created;
      this.store.pruneIdempotency(record.created - TTL_SECONDS);
    }
  }

  /** Ends the reservation `admit` made, whatever the outcome. */
  release(scope: string): void {
    this.inFlight.delete(scope);
  }
}

function pathOf(endpoint: string): string {
  const space = endpoint.indexOf(' ');
  return space === -1 ? endpoint : endpoint.slice(space + 1);
}
