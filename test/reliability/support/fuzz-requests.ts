import fc from 'fast-check';
import { isValidCustomerId } from './fuzz-bodies.ts';

/**
 * Methods, paths and headers for the fuzzing scenario, each paired with the rule that makes the
 * request invalid, so that it must be refused before Stripe is called.
 */

/** Methods Node's parser knows (others die in the parser; see the raw-socket properties). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/**
 * Segments with any unicode, percent-encoded as a client library would, and now and then one a
 * careless client would send: a stray `%`, an escape that is not UTF-8, an encoded NUL.
 */
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%FF', '%C0%AF', '%00', '%2F') },
);

const KNOWN_PATHS = [
  '/',
  '/api',
  '/api/',
  '/api/customer',
  '/api/customer/',
  '/api/payments',
  '/api/payments/',
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/docs',
];

/** A method and a path: known routes, unknown ones, and the spaces between. */
export const methodAndPath = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.oneof(
    fc.constantFrom(...KNOWN_PATHS),
    fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/api/${parts.join('/')}`),
    fc
      .tuple(fc.stringMatching(/^cus_[A-Za-z0-9]{1,20}$/), segment)
      .map(([id, rest]) => `/api/payments/${id}/${rest}`),
    fc.tuple(fc.constantFrom(...KNOWN_PATHS), segment).map(([known, rest]) => `${known}/${rest}`),
    segment.map((s) => `/docs/${s}`),
  ),
});

/** True when the route exists for this method and the request is served (2xx). */
export function isServedRoute(method: string, path: string): boolean {
  const read = method === 'GET' || method === 'HEAD';
  if (read && ['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(path)) return true;
  // The documentation UI serves its own files.
  if (read && (path === '/docs' || path.startsWith('/docs/'))) return true;
  const history = /^\/api\/payments\/([^/]+)$/.exec(path);
  if (method === 'GET' && history?.[1] !== undefined) {
    return isValidCustomerId(safeDecode(history[1]));
  }
  return false;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Header values Node's client can send: latin1, no control characters but tab. */
const headerText = (maxLength: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
        { weight: 1, arbitrary: fc.constant(0x09) },
      ),
      { maxLength },
    )
    .map((codes) => String.fromCharCode(...codes));

/** Media types that are not JSON: the API must answer 415 (or 400) without calling Stripe. */
export const nonJsonContentType = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'text/html',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=fuzz',
    'application/xml',
    'application/octet-stream',
    'application/jsonl',
    'application/json-patch+json',
    'application/json5',
    'application/',
    'json',
    '*/*',
  ),
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9.+-]{0,12}$/),
      fc.stringMatching(/^[a-z][a-z0-9.+-]{0,16}$/),
    )
    .map(([type, subtype]) => `${type}/${subtype}`)
    .filter((type) => type !== 'application/json'),
);

export const jsonContentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
);

/** Keys the API must refuse: empty, too long, not printable ASCII. */
export const invalidIdempotencyKey = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[!-~]{256,400}$/),
  fc
    .tuple(headerText(20), fc.integer({ min: 0x80, max: 0xff }), headerText(20))
    .map(([a, code, b]) => `${a}${String.fromCharCode(code)}${b}`),
  fc
    .tuple(fc.stringMatching(/^[!-~]{1,20}$/), fc.stringMatching(/^[!-~]{1,20}$/))
    .map(([a, b]) => `${a}\t${b}`),
);

export const validIdempotencyKey = fc.stringMatching(/^[!-~]([ -~]{0,60}[!-~])?$/);

/** What Node's server hands on after trimming optional whitespace around a header value. */
export function receivedHeader(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The API keeps an inbound request id only when it is short and of a safe charset. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request ids: safe ones, unsafe ones, and long ones well past 128 characters. */
export const requestId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  headerText(200),
  fc.integer({ min: 129, max: 12_000 }).map((n) => 'r'.repeat(n)),
);

/** Extra headers with odd names and values, none of which the API should care about. */
export const extraHeaders = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
  headerText(100),
  { maxKeys: 4 },
);

/** Authorization values that carry no valid key, given the one valid secret. */
export function invalidAuthorization(secret: string): fc.Arbitrary<string | null> {
  return fc
    .oneof(
      fc.constant(null),
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic', `Basic ${secret}`, `Token ${secret}`),
      fc.constant(`Bearer ${secret}x`),
      fc.constant(`Bearer x${secret}`),
      fc.constant(`Bearer ${secret.slice(1)}`),
      fc.constant(`Bearer ${secret.toUpperCase()}`),
      fc.constant(`Bearer ${secret} ${secret}`),
      fc.stringMatching(/^[A-Za-z0-9\-._~+/]{16,64}$/).map((s) => `Bearer ${s}`),
      headerText(300),
    )
    .filter((value) => value === null || /^bearer +(\S+)$/i.exec(value.trim())?.[1] !== secret);
}

/** Control characters Node's parser refuses inside a header value (not CR or LF: they end it). */
export const controlCharacter = fc
  .integer({ min: 0, max: 0x7f })
  .filter(
    (code) => (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f,
  )
  .map((code) => String.fromCharCode(code));
