/**
 * What a log line may never show: Stripe keys, API keys, card tokens, client secrets and full
 * email addresses. Two layers: `LOG_REDACT_PATHS` hides known fields by name, and
 * `maskSensitive` rewrites any text (each finished log line included), so that whatever slipped
 * into a message or an error is masked too.
 */

/** Replaces a redacted field's value. */
export const REDACTED = '[redacted]';

/**
 * Fields hidden wherever they appear (top level or one object down). Emails are masked rather
 * than hidden (see `censorField`), so a line still says which domain an address belongs to.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'apiKeys',
  '*.apiKeys',
  'secret',
  '*.secret',
  'secretKey',
  '*.secretKey',
  'stripeSecretKey',
  '*.stripeSecretKey',
  'token',
  '*.token',
  'stripeCreditCardToken',
  '*.stripeCreditCardToken',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'email',
  '*.email',
];

/** pino's `redact.censor`: masks an email field, hides every other listed field. */
export function censorField(value: unknown, path: string[]): unknown {
  if (path.at(-1) === 'email' && typeof value === 'string') return maskSensitive(value);
  return REDACTED;
}

// Character classes stop at quotes and backslashes, so masking JSON text keeps it valid JSON.
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
/** Anything a client may send as `stripeCreditCardToken`: a card token or a PaymentMethod id. */
const CARD_TOKEN = /\b(tok|pm)_[A-Za-z0-9_]+/g;
const STRIPE_KEY = /\b(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+/g;
const CLIENT_SECRET = /_secret_[A-Za-z0-9]+/g;

/**
 * Masks sensitive values inside free text: `jane@example.com` -> `j***@example.com`,
 * `tok_visa` -> `tok_***`, `sk_test_abc` -> `sk_test_***`, `pi_1_secret_x` -> `pi_1_secret_***`,
 * and every literal in `secrets` (the configured API keys and Stripe key) -> `[redacted]`.
 */
export function maskSensitive(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== '') masked = masked.replaceAll(secret, REDACTED);
  }
  return masked
    .replace(STRIPE_KEY, (_, kind: string, mode: string) => `${kind}_${mode}_***`)
    .replace(CLIENT_SECRET, '_secret_***')
    .replace(CARD_TOKEN, (_, prefix: string) => `${prefix}_***`)
    .replace(EMAIL, (_, first: string, domain: string) => `${first}***@${domain}`);
}
