/**
 * Stripe's amount and currency rules for charges and PaymentIntents: a positive integer in the
 * currency's smallest unit, at least the currency's minimum (50 cents in USD), at most eight
 * digits (99,999,999), in a supported lowercase currency.
 */
import { invalidRequest } from './errors.ts';

const MAX_AMOUNT = 99_999_999;

/** Minimum charge amounts in the smallest unit; other supported currencies use 50. */
const MINIMUMS: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
]);

const SYMBOLS: Readonly<Record<string, string>> = {
  usd: '$',
  eur: '€',
  gbp: '£',
  jpy: '¥',
  cad: '$',
  aud: '$',
};

const SUPPORTED = new Set([
  ...Object.keys(MINIMUMS),
  ...ZERO_DECIMAL,
  'ars',
  'bgn',
  'cny',
  'cop',
  'egp',
  'idr',
  'ils',
  'isk',
  'kes',
  'mad',
  'ngn',
  'php',
  'pkr',
  'qar',
  'sar',
  'try',
  'twd',
  'uah',
  'vnd',
  'zar',
]);

function format(amount: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? '';
  if (ZERO_DECIMAL.has(currency)) return `${symbol}${amount.toLocaleString('en-US')}`;
  const major = (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  return `${symbol}${major}`;
}

/** Checks and normalizes a currency code (Stripe stores it in lower case). */
export function checkCurrency(currency: string): string {
  const lower = currency.toLowerCase();
  if (!SUPPORTED.has(lower)) {
    const list = [...SUPPORTED].sort().join(', ');
    throw invalidRequest(
      `Invalid currency: ${lower}. Stripe currently supports these currencies: ${list}`,
      'currency',
    );
  }
  return lower;
}

/** Throws Stripe's 400 for an amount out of bounds for `currency` (already normalized). */
export function checkAmount(amount: number, currency: string): void {
  if (amount < 1) {
    throw invalidRequest('This value must be greater than or equal to 1.', 'amount');
  }
  const minimum = MINIMUMS[currency] ?? 50;
  if (amount < minimum) {
    throw invalidRequest(
      `Amount must be at least ${format(minimum, currency)} ${currency}`,
      'amount',
      'amount_too_small',
    );
  }
  if (amount > MAX_AMOUNT) {
    const suffix = currency === 'usd' ? '' : ` ${currency}`;
    throw invalidRequest(
      `Amount must be no more than ${format(MAX_AMOUNT, currency)}${suffix}`,
      'amount',
      'amount_too_large',
    );
  }
}
