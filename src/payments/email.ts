/**
 * Email rules. Stripe does not validate addresses in a way we can rely on, nor keep them unique,
 * so the service checks the form itself (the 400 is then ours, before any Stripe call) and keeps
 * one customer per address in the ledger.
 */

/** RFC 5321 limits a path to 256 octets including the angle brackets: 254 for the address. */
export const MAX_EMAIL_LENGTH = 254;

// A pragmatic dot-atom form: what mail systems accept in practice, not every RFC 5322 quirk.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The form in which an email is compared and stored: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Whether the trimmed address is a plausible internet mailbox of at most 254 characters. */
export function isValidEmail(email: string): boolean {
  const address = email.trim();
  if (address.length === 0 || address.length > MAX_EMAIL_LENGTH) return false;

  const at = address.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');

  // A dot in the domain: addresses like user@localhost cannot be reached from the internet.
  if (labels.length < 2 || !LOCAL_PART.test(local)) return false;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  const tld = labels[labels.length - 1] ?? '';
  return /^[A-Za-z]{2,63}$/.test(tld) || /^xn--[A-Za-z0-9-]{1,59}$/.test(tld);
}
