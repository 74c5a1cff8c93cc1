/**
 * The card data every card-bearing object shares (token, Card, PaymentMethod, charge details),
 * and its sources: a test-card row, or a number, expiry and CVC checked as Stripe checks them.
 */
import type Stripe from 'stripe';
import {
  BRANDS,
  type BrandKey,
  brandKeyOfName,
  brandOfNumber,
  cardForNumber,
  fingerprintOf,
  type TestCard,
} from './cards.ts';
import { cardError } from './errors.ts';

export interface CardDetails {
  brand: BrandKey;
  last4: string;
  expMonth: number;
  expYear: number;
  funding: string;
  country: string;
  fingerprint: string;
  cvcCheck: 'pass' | 'fail' | 'unchecked' | null;
  name: string | null;
}

/** Magic cards expire at the end of next year, like the dates Stripe's test tokens carry. */
export function detailsOfTestCard(card: TestCard, now: number): CardDetails {
  return {
    brand: card.brand,
    last4: card.number.slice(-4),
    expMonth: 12,
    expYear: new Date(now * 1000).getUTCFullYear() + 1,
    funding: card.funding,
    country: 'US',
    fingerprint: fingerprintOf(card.key),
    cvcCheck: card.attachDecline?.code === 'incorrect_cvc' ? 'fail' : 'pass',
    name: null,
  };
}

/** Raw card fields as a request sends them (strings: validation is part of the card rules). */
export interface CardInput {
  number: string;
  expMonth: string;
  expYear: string;
  cvc?: string | undefined;
  name?: string | undefined;
}

/** Names Stripe reports in `param`, which differ between tokens and PaymentMethods. */
export interface CardParamNames {
  number: string;
  expMonth: string;
  expYear: string;
  cvc: string;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Checks a card as Stripe's tokenization does and returns its details; a failure is a 402
 * `card_error` (`invalid_number`, `incorrect_number` for a failed Luhn check,
 * `invalid_expiry_month`, `invalid_expiry_year` also for an expired card, `invalid_cvc`).
 */
export function detailsOfInput(input: CardInput, names: CardParamNames, now: number): CardDetails {
  const number = input.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) {
    throw cardError({
      code: 'invalid_number',
      message: 'The card number is not a valid credit card number.',
      param: names.number,
    });
  }
  if (!luhnValid(number)) {
    throw cardError({
      code: 'incorrect_number',
      message: 'Your card number is incorrect.',
      param: names.number,
    });
  }

  const today = new Date(now * 1000);
  const thisYear = today.getUTCFullYear();
  const month = /^\d{1,2}$/.test(input.expMonth) ? Number(input.expMonth) : Number.NaN;
  if (!(month >= 1 && month <= 12)) {
    throw cardError({
      code: 'invalid_expiry_month',
      message: "Your card's expiration month is invalid.",
      param: names.expMonth,
    });
  }
  let year = /^\d{2}$|^\d{4}$/.test(input.expYear) ? Number(input.expYear) : Number.NaN;
  if (year < 100) year += 2000;
  if (!(year >= thisYear && year <= thisYear + 50)) {
    throw cardError({
      code: 'invalid_expiry_year',
      message: "Your card's expiration year is invalid.",
      param: names.expYear,
    });
  }
  if (year === thisYear && month < today.getUTCMonth() + 1) {
    throw cardError({
      code: 'invalid_expiry_month',
      message: "Your card's expiration month is invalid.",
      param: names.expMonth,
    });
  }

  const testCard = cardForNumber(number);
  const brand = testCard?.brand ?? brandOfNumber(number);
  if (input.cvc !== undefined && !new RegExp(`^\\d{${BRANDS[brand].cvcLength}}$`).test(input.cvc)) {
    throw cardError({
      code: 'invalid_cvc',
      message: "Your card's security code is invalid.",
      param: names.cvc,
    });
  }

  const base = testCard ? detailsOfTestCard(testCard, now) : null;
  return {
    brand,
    last4: number.slice(-4),
    expMonth: month,
    expYear: year,
    funding: base?.funding ?? 'credit',
    country: 'US',
    fingerprint: base?.fingerprint ?? fingerprintOf(number),
    cvcCheck: input.cvc === undefined ? null : (base?.cvcCheck ?? 'pass'),
    name: input.name ?? null,
  };
}

export function detailsOfCard(card: Stripe.Card): CardDetails {
  return {
    brand: brandKeyOfName(card.brand),
    last4: card.last4,
    expMonth: card.exp_month,
    expYear: card.exp_year,
    funding: card.funding,
    country: card.country ?? 'US',
    fingerprint: card.fingerprint ?? '',
    cvcCheck: cvcCheckOf(card.cvc_check),
    name: card.name,
  };
}

export function detailsOfPaymentMethod(pm: Stripe.PaymentMethod): CardDetails | undefined {
  const card = pm.card;
  if (!card) return undefined;
  return {
    brand: brandKeyOfName(card.brand),
    last4: card.last4,
    expMonth: card.exp_month,
    expYear: card.exp_year,
    funding: card.funding,
    country: card.country ?? 'US',
    fingerprint: card.fingerprint ?? '',
    cvcCheck: cvcCheckOf(card.checks?.cvc_check ?? null),
    name: pm.billing_details.name,
  };
}

function cvcCheckOf(value: string | null): CardDetails['cvcCheck'] {
  return value === 'pass' || value === 'fail' || value === 'unchecked' ? value : null;
}
