import fc from 'fast-check';
import { isRecord, parseJson } from './http.ts';

/**
 * Request bodies for the fuzzing scenario that the rules make invalid, with the rules
 * written out here independently of the API's schemas. Where a rule is a judgement call (what
 * counts as an email address), a body is counted as invalid only when no reading of the rule
 * would accept it, so that every body generated here must be refused before Stripe is called.
 */

const CUSTOMER_ID = /^cus_[A-Za-z0-9_]+$/;
const CARD_TOKEN = /^(tok|pm)_[A-Za-z0-9_]+$/;
/** Anything with one @, something before it and a dot after it might be an address. */
const MAYBE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PAYMENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
];

export function isValidCustomerId(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 255 && CUSTOMER_ID.test(value);
}

function isValidAmount(value: unknown): boolean {
  return Number.isInteger(value) && Number(value) >= 50 && Number(value) <= 99_999_999;
}

function hasExactly(value: Record<string, unknown>, names: readonly string[]): boolean {
  const keys = Object.keys(value);
  return keys.length === names.length && names.every((name) => keys.includes(name));
}

/** A body POST /api/payments might accept, as the server parses `text`. */
export function mayBeValidCharge(text: string): boolean {
  const body = parseJson(text);
  return (
    isRecord(body) &&
    hasExactly(body, ['stripeCustomerID', 'amount']) &&
    isValidCustomerId(body.stripeCustomerID) &&
    isValidAmount(body.amount)
  );
}

/** A body POST /api/customer might accept. */
export function mayBeValidRegistration(text: string): boolean {
  const body = parseJson(text);
  if (!isRecord(body) || !hasExactly(body, ['email', 'stripeCreditCardToken'])) return false;
  const { email, stripeCreditCardToken: token } = body;
  const maybeEmail = typeof email === 'string' && MAYBE_EMAIL.test(email.trim());
  return (
    maybeEmail &&
    email.trim().length <= 254 &&
    typeof token === 'string' &&
    token.length <= 255 &&
    CARD_TOKEN.test(token)
  );
}

/** Any text: unicode of every plane, quotes, backslashes, control characters. */
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

/** Arrays or objects nested up to a few thousand levels (the body stays under 16 KiB). */
const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 4_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Up to `max` characters after the prefix: past 16 KiB, a body goes over the API's limit. */
const longString = (prefix: string, max = 20_000) =>
  fc
    .tuple(fc.integer({ min: 1, max }), fc.constantFrom('a', 'é', '💳', '\u0000', '"'))
    .map(([length, char]) => prefix + char.repeat(length));

/** Values of every JSON type, unicode keys and strings included. */
const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });

/** Values of the wrong type or out of range for `amount`. */
const badAmount = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.integer({ min: -2_000_000_000, max: 49 }),
  fc.integer({ min: 100_000_000, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 50, max: 99_999_999 }).map(String),
  fc.constantFrom(null, true, false, '', [], {}, 1e300, -0.5, 10.5),
  anyJson,
);

const goodAmount = fc.integer({ min: 50, max: 99_999_999 });
const goodCustomerId = fc.stringMatching(/^cus_[A-Za-z0-9_]{1,30}$/);

/** Strings that are not customer ids, and values that are not strings. */
const badCustomerId = fc.oneof(
  anyText(40),
  anyText(40).map((s) => `cus_${s}`),
  longString('cus_'),
  fc.constantFrom('cus_', 'CUS_abc', 'cus-abc', 'pi_123', ' cus_abc', 'cus_abc ', 'cus_a.b'),
  anyJson,
);

/** The JSON text of a body built from fields, some of which may be missing or extra. */
function bodyText(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

/** Extra members with unicode names, as an attacker or a confused client might send. */
const extraFields = fc.dictionary(anyText(20), anyJson, { minKeys: 1, maxKeys: 3 });

/** The raw text of a POST /api/payments body that no reading of the rules accepts. */
export const invalidChargeText: fc.Arbitrary<string> = fc
  .oneof(
    fc.record({ stripeCustomerID: goodCustomerId, amount: badAmount }).map(bodyText),
    fc.record({ stripeCustomerID: badCustomerId, amount: goodAmount }).map(bodyText),
    fc.record({ stripeCustomerID: badCustomerId, amount: badAmount }).map(bodyText),
    fc
      .tuple(goodCustomerId, goodAmount, extraFields)
      .map(([id, amount, extra]) => bodyText({ ...extra, stripeCustomerID: id, amount })),
    fc
      .record({ stripeCustomerID: goodCustomerId, amount: goodAmount }, { requiredKeys: [] })
      .map(bodyText),
    anyJson.map((value) => JSON.stringify(value)),
    anyText(200),
    deepNesting,
    deepNesting.map((nested) => `{"stripeCustomerID":${nested},"amount":100}`),
  )
  .filter((text) => !mayBeValidCharge(text));

const goodEmail = fc.emailAddress();
const goodToken = fc.stringMatching(/^tok_[A-Za-z0-9]{8,24}$/);

/** Strings no reading of the rules takes for an address, and values that are not strings. */
const badEmail = fc.oneof(
  anyText(60).filter((s) => !MAYBE_EMAIL.test(s.trim())),
  longString('x@example.'),
  fc.constantFrom('', ' ', 'plainaddress', '@example.com', 'a b@example.com', 'a@@example.com'),
  anyJson.filter((value) => typeof value !== 'string'),
);

const badToken = fc.oneof(
  anyText(40),
  anyText(40).map((s) => `tok_${s}`),
  longString('tok_'),
  fc.constantFrom('tok_', 'card_123', 'src_123', 'TOK_visa', 'tok visa', 'pm-123'),
  anyJson.filter((value) => typeof value !== 'string'),
);

/** The raw text of a POST /api/customer body that no reading of the rules accepts. */
export const invalidRegistrationText: fc.Arbitrary<string> = fc
  .oneof(
    fc.record({ email: badEmail, stripeCreditCardToken: goodToken }).map(bodyText),
    fc.record({ email: goodEmail, stripeCreditCardToken: badToken }).map(bodyText),
    fc.record({ email: badEmail, stripeCreditCardToken: badToken }).map(bodyText),
    fc
      .tuple(goodEmail, goodToken, extraFields)
      .map(([email, token, extra]) => bodyText({ ...extra, email, stripeCreditCardToken: token })),
    fc
      .record({ email: goodEmail, stripeCreditCardToken: goodToken }, { requiredKeys: [] })
      .map(bodyText),
    anyJson.map((value) => JSON.stringify(value)),
    anyText(200),
    deepNesting,
    deepNesting.map((nested) => `{"email":${nested},"stripeCreditCardToken":"tok_visa"}`),
  )
  .filter((text) => !mayBeValidRegistration(text));

/** A customer id for a path, valid or not, with the body and query a GET may carry. */
export interface HistoryCase {
  customerId: string;
  /** `?...` or empty. */
  query: string;
  /** null: no body. */
  body: string | null;
}

/** Whether GET /api/payments/:id might be served, and so reach Stripe. */
export function mayBeValidHistory(c: HistoryCase): boolean {
  if (!isValidCustomerId(c.customerId)) return false;
  const params = [...new URLSearchParams(c.query.slice(1))];
  const queryOk =
    params.length === 0 ||
    (params.length === 1 && params[0]?.[0] === 'status' && PAYMENT_STATUSES.includes(params[0][1]));
  if (!queryOk) return false;
  if (c.body === null) return true;
  const body = parseJson(c.body);
  if (!isRecord(body)) return false;
  const keys = Object.keys(body);
  if (keys.length === 0) return true;
  return keys.length === 1 && body.stripeCustomerID === c.customerId;
}

/**
 * Ids for a path, up to 900 characters: encoded, the request line stays under Node's 16 KiB
 * header limit (the raw-socket property goes past it on purpose).
 */
const badPathCustomerId = fc.oneof(
  anyText(40),
  anyText(40).map((s) => `cus_${s}`),
  longString('cus_', 900),
  fc.constantFrom('cus_', 'CUS_abc', 'cus-abc', 'pi_123', ' cus_abc', 'cus_abc ', 'cus_a.b'),
);

const queryPart = fc.oneof(
  fc.constant(''),
  fc.constantFrom(...PAYMENT_STATUSES).map((s) => `?status=${s}`),
  anyText(30).map((s) => `?status=${encodeURIComponent(s)}`),
  fc.constant('?status=succeeded&status=canceled'),
  fc
    .dictionary(anyText(10), anyText(10), { minKeys: 1, maxKeys: 3 })
    .map((d) => `?${new URLSearchParams(d).toString()}`),
);

/** GET /api/payments/:id requests that must be refused before Stripe is called. */
export const invalidHistoryCase: fc.Arbitrary<HistoryCase> = fc
  .record({
    customerId: fc.oneof(goodCustomerId, badPathCustomerId),
    query: queryPart,
    body: fc.oneof(
      fc.constant(null),
      fc.constant('{}'),
      goodCustomerId.map((id) => bodyText({ stripeCustomerID: id })),
      anyJson.map((value) => JSON.stringify(value)),
      anyText(100),
      deepNesting,
    ),
  })
  .filter((c) => !mayBeValidHistory(c));
