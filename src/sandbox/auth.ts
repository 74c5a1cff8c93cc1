/**
 * API keys: `Authorization: Bearer sk_test_...` (or `rk_test_...`), or Basic auth with the key as
 * user name and an empty password (`curl -u sk_test_x:`). Any test key is accepted and all keys
 * share one account; the key only scopes idempotency records. Live keys are refused: the sandbox
 * must never be mistaken for Stripe.
 */
import { apiKeyInvalid, apiKeyMissing, publishableKeyRefused } from './errors.ts';

export interface Caller {
  key: string;
  /** A `pk_test_` key, which may only create tokens. */
  publishable: boolean;
}

const SECRET = /^(sk|rk)_test_[A-Za-z0-9_]+$/;
const PUBLISHABLE = /^pk_test_[A-Za-z0-9_]+$/;
const PREFIX = /^[a-z]{2}_(test|live)_/;

/** Stripe's masking: the key's prefix, then `****` and its last four characters. */
export function maskKey(key: string): string {
  const safe = key.replace(/[^\x21-\x7e]/g, '?').slice(0, 255);
  const prefix = PREFIX.exec(safe)?.[0] ?? '';
  return `${prefix}****${safe.slice(prefix.length).slice(-4)}`;
}

function keyOf(header: string): string {
  const bearer = /^Bearer\s+(.*)$/i.exec(header);
  if (bearer) return (bearer[1] ?? '').trim();
  const basic = /^Basic\s+(.*)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return header.trim();
}

/** The caller a request's `Authorization` header names; throws Stripe's 401 otherwise. */
export function authenticate(header: string | undefined, allowPublishable: boolean): Caller {
  const key = header === undefined ? '' : keyOf(header);
  if (key === '') throw apiKeyMissing();
  if (SECRET.test(key)) return { key, publishable: false };
  if (PUBLISHABLE.test(key)) {
    if (!allowPublishable) throw publishableKeyRefused();
    return { key, publishable: true };
  }
  throw apiKeyInvalid(maskKey(key));
}
