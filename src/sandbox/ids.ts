import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Base 62 digits in ASCII order, so that fixed-width strings sort like the numbers they encode. */
const ORDERED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_WIDTH = 9;
const IDS_PER_MS = 1024;

// Random bytes are drawn in batches: one syscall per few hundred ids instead of one per id keeps
// id generation off the profile of the hot create paths.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** `length` random alphanumeric characters (the modulo bias of 256 % 62 is irrelevant here). */
export function randomAlphanumeric(length: number): string {
  if (offset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALPHABET[(pool[offset + i] ?? 0) % ALPHABET.length];
  }
  offset += length;
  return out;
}

let lastMs = 0;
let counter = 0;

/**
 * A fixed-width base-62 stamp that increases with every call (milliseconds, then a counter; it
 * never goes back, even if the clock does). Ids that start with it are inserted at the end of the
 * store's id index instead of at random places, which keeps inserts fast as the store grows.
 * Stripe's own ids also begin with a time-ordered part.
 */
function timeStamp(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter >= IDS_PER_MS) {
    lastMs += 1;
    counter = 0;
  }
  let value = lastMs * IDS_PER_MS + counter;
  let out = '';
  for (let i = 0; i < TIME_WIDTH; i++) {
    out = ORDERED[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A new Stripe-style id such as `cus_0Ab3...`: a time-ordered stamp, then random characters. */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${timeStamp()}${randomAlphanumeric(Math.max(length - TIME_WIDTH, 5))}`;
}

/** A request id as Stripe sends in the `Request-Id` header. */
export function newRequestId(): string {
  return `req_${randomAlphanumeric(14)}`;
}
