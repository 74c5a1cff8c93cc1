/**
 * Stripe's test cards (stripe-semantics.md §7), as data: each row names a card number, the magic
 * tokens and PaymentMethod ids that stand for it, and how it behaves when attached to a customer
 * and when charged on and off session. Behaviour is looked up from a card's fingerprint, so a card
 * keeps its behaviour however it arrived (magic token, minted token, number, PaymentMethod).
 */
import { createHash } from 'node:crypto';

/** A card network, with the two spellings Stripe uses (`Card.brand` vs `PaymentMethod.card.brand`). */
export interface Brand {
  readonly name: string;
  readonly code: string;
  readonly cvcLength: number;
}

export const BRANDS = {
  visa: { name: 'Visa', code: 'visa', cvcLength: 3 },
  mastercard: { name: 'MasterCard', code: 'mastercard', cvcLength: 3 },
  amex: { name: 'American Express', code: 'amex', cvcLength: 4 },
  discover: { name: 'Discover', code: 'discover', cvcLength: 3 },
  jcb: { name: 'JCB', code: 'jcb', cvcLength: 3 },
  diners: { name: 'Diners Club', code: 'diners', cvcLength: 3 },
  unionpay: { name: 'UnionPay', code: 'unionpay', cvcLength: 3 },
  unknown: { name: 'Unknown', code: 'unknown', cvcLength: 3 },
} as const satisfies Record<string, Brand>;

export type BrandKey = keyof typeof BRANDS;

/** The error a refused card produces (a 402 `card_error`). */
export interface Decline {
  readonly code: string;
  readonly declineCode: string;
  readonly message: string;
  /** Stripe names the offending field for CVC and expiry failures. */
  readonly param?: string;
}

const declined = (declineCode: string, message = 'Your card was declined.'): Decline => ({
  code: 'card_declined',
  declineCode,
  message,
});

/** The declines of the test-card table, by decline code. */
export const DECLINES = {
  generic: declined('generic_decline'),
  insufficientFunds: declined('insufficient_funds', 'Your card has insufficient funds.'),
  lostCard: declined('lost_card'),
  stolenCard: declined('stolen_card'),
  velocity: declined('card_velocity_exceeded'),
  fraudulent: declined('fraudulent'),
  expired: {
    code: 'expired_card',
    declineCode: 'expired_card',
    message: 'Your card has expired.',
    param: 'exp_month',
  },
  incorrectCvc: {
    code: 'incorrect_cvc',
    declineCode: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    param: 'cvc',
  },
  processing: {
    code: 'processing_error',
    declineCode: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  authenticationRequired: {
    code: 'authentication_required',
    declineCode: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
} as const satisfies Record<string, Decline>;

/** What happens when the card is charged: approved, refused, or 3-D Secure asked for. */
export type Outcome =
  | { readonly kind: 'approve' }
  | { readonly kind: 'decline'; readonly decline: Decline }
  | { readonly kind: 'authenticate' };

const APPROVE: Outcome = { kind: 'approve' };
const AUTHENTICATE: Outcome = { kind: 'authenticate' };
const decline = (d: Decline): Outcome => ({ kind: 'decline', decline: d });

export interface TestCard {
  /** Stable name of the row; the fingerprint derives from it. */
  readonly key: string;
  readonly number: string;
  readonly brand: BrandKey;
  readonly funding: 'credit' | 'debit';
  readonly tokens: readonly string[];
  readonly paymentMethods: readonly string[];
  /** Set for cards that "can't be attached to a Customer object": the attach fails with it. */
  readonly attachDecline: Decline | null;
  readonly onSession: Outcome;
  readonly offSession: Outcome;
}

interface RowOptions {
  funding?: 'credit' | 'debit';
  attach?: Decline;
  charge?: Outcome;
  onSession?: Outcome;
  offSession?: Outcome;
}

function row(
  key: string,
  number: string,
  brand: BrandKey,
  tokens: readonly string[],
  paymentMethods: readonly string[],
  options: RowOptions = {},
): TestCard {
  // A card refused at attach time is refused with the same error when charged unattached.
  const charge = options.charge ?? (options.attach ? decline(options.attach) : APPROVE);
  return {
    key,
    number,
    brand,
    funding: options.funding ?? 'credit',
    tokens,
    paymentMethods,
    attachDecline: options.attach ?? null,
    onSession: options.onSession ?? charge,
    offSession: options.offSession ?? charge,
  };
}

/** The table. The first row of a number is the one a bare number maps to. */
export const TEST_CARDS: readonly TestCard[] = [
  row('visa', '4242424242424242', 'visa', ['tok_visa'], ['pm_card_visa']),
  row('visa_debit', '4000056655665556', 'visa', ['tok_visa_debit'], ['pm_card_visa_debit'], {
    funding: 'debit',
  }),
  row('mastercard', '5555555555554444', 'mastercard', ['tok_mastercard'], ['pm_card_mastercard']),
  row('mastercard_2series', '2223003122003222', 'mastercard', [], []),
  row(
    'mastercard_debit',
    '5200828282828210',
    'mastercard',
    ['tok_mastercard_debit'],
    ['pm_card_mastercard_debit'],
    { funding: 'debit' },
  ),
  row('amex', '378282246310005', 'amex', ['tok_amex'], ['pm_card_amex']),
  row('amex_2', '371449635398431', 'amex', [], []),
  row('discover', '6011111111111117', 'discover', ['tok_discover'], ['pm_card_discover']),
  row('diners', '3056930009020004', 'diners', ['tok_diners'], ['pm_card_diners']),
  row('jcb', '3566002020360505', 'jcb', ['tok_jcb'], ['pm_card_jcb']),
  row('unionpay', '6200000000000005', 'unionpay', ['tok_unionpay'], ['pm_card_unionpay']),
  row(
    'charge_declined',
    '4000000000000002',
    'visa',
    ['tok_visa_chargeDeclined', 'tok_chargeDeclined'],
    ['pm_card_visa_chargeDeclined'],
    { attach: DECLINES.generic },
  ),
  row(
    'insufficient_funds',
    '4000000000009995',
    'visa',
    ['tok_visa_chargeDeclinedInsufficientFunds', 'tok_chargeDeclinedInsufficientFunds'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds'],
    { attach: DECLINES.insufficientFunds },
  ),
  row(
    'lost_card',
    '4000000000009987',
    'visa',
    ['tok_visa_chargeDeclinedLostCard'],
    ['pm_card_visa_chargeDeclinedLostCard'],
    { attach: DECLINES.lostCard },
  ),
  row(
    'stolen_card',
    '4000000000009979',
    'visa',
    ['tok_visa_chargeDeclinedStolenCard'],
    ['pm_card_visa_chargeDeclinedStolenCard'],
    { attach: DECLINES.stolenCard },
  ),
  row(
    'expired_card',
    '4000000000000069',
    'visa',
    ['tok_chargeDeclinedExpiredCard', 'tok_visa_chargeDeclinedExpiredCard'],
    ['pm_card_chargeDeclinedExpiredCard'],
    { attach: DECLINES.expired },
  ),
  row(
    'incorrect_cvc',
    '4000000000000127',
    'visa',
    ['tok_chargeDeclinedIncorrectCvc', 'tok_visa_chargeDeclinedIncorrectCvc'],
    ['pm_card_chargeDeclinedIncorrectCvc'],
    { attach: DECLINES.incorrectCvc },
  ),
  row(
    'processing_error',
    '4000000000000119',
    'visa',
    ['tok_chargeDeclinedProcessingError', 'tok_visa_chargeDeclinedProcessingError'],
    ['pm_card_chargeDeclinedProcessingError'],
    { attach: DECLINES.processing },
  ),
  row(
    'velocity_limit',
    '4000000000006975',
    'visa',
    ['tok_visa_chargeDeclinedVelocityLimitExceeded'],
    ['pm_card_visa_chargeDeclinedVelocityLimitExceeded'],
    { attach: DECLINES.velocity },
  ),
  row(
    'fraudulent',
    '4100000000000019',
    'visa',
    ['tok_visa_chargeDeclinedFraudulent', 'tok_chargeDeclinedFraudulent'],
    [],
    { attach: DECLINES.fraudulent },
  ),
  row(
    'charge_customer_fail',
    '4000000000000341',
    'visa',
    ['tok_chargeCustomerFail', 'tok_visa_chargeCustomerFail'],
    ['pm_card_chargeCustomerFail'],
    { charge: decline(DECLINES.generic) },
  ),
  // Variants without a number of their own: they share 4000000000000341's number but not its
  // fingerprint, so each keeps its own decline code.
  row(
    'charge_customer_fail_lost',
    '4000000000000341',
    'visa',
    ['tok_visa_chargeCustomerFailLostCard'],
    [],
    { charge: decline(DECLINES.lostCard) },
  ),
  row(
    'charge_customer_fail_stolen',
    '4000000000000341',
    'visa',
    ['tok_visa_chargeCustomerFailStolenCard'],
    [],
    { charge: decline(DECLINES.stolenCard) },
  ),
  row(
    'three_d_secure_2_required',
    '4000000000003220',
    'visa',
    ['tok_threeDSecure2Required'],
    ['pm_card_threeDSecure2Required'],
    { charge: AUTHENTICATE },
  ),
  row(
    'authentication_required',
    '4000002760003184',
    'visa',
    [],
    ['pm_card_authenticationRequired'],
    { charge: AUTHENTICATE },
  ),
  // Succeeds off session only after a SetupIntent, which the sandbox does not have.
  row(
    'authentication_required_on_setup',
    '4000002500003155',
    'visa',
    [],
    ['pm_card_authenticationRequiredOnSetup'],
    { charge: AUTHENTICATE },
  ),
  row(
    'authentication_required_setup_for_off_session',
    '4000003800000446',
    'visa',
    [],
    ['pm_card_authenticationRequiredSetupForOffSession'],
    { onSession: AUTHENTICATE, offSession: APPROVE },
  ),
  row(
    'authentication_required_insufficient_funds',
    '4000008260003178',
    'visa',
    [],
    ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds'],
    { onSession: AUTHENTICATE, offSession: decline(DECLINES.insufficientFunds) },
  ),
  row('three_d_secure_optional', '4000000000003055', 'visa', ['tok_threeDSecureOptional'], []),
];

/** Stripe-style fingerprint (16 alphanumerics), stable for a given input. */
export function fingerprintOf(seed: string): string {
  return createHash('sha256')
    .update(`sandbox-card:${seed}`)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16);
}

function indexBy(keysOf: (card: TestCard) => readonly string[]): Map<string, TestCard> {
  const map = new Map<string, TestCard>();
  for (const card of TEST_CARDS) {
    for (const key of keysOf(card)) if (!map.has(key)) map.set(key, card);
  }
  return map;
}

const byToken = indexBy((card) => card.tokens);
const byPaymentMethod = indexBy((card) => card.paymentMethods);
const byNumber = indexBy((card) => [card.number]);
const byFingerprint = indexBy((card) => [fingerprintOf(card.key)]);

export function cardForToken(token: string): TestCard | undefined {
  return byToken.get(token);
}

export function cardForPaymentMethod(id: string): TestCard | undefined {
  return byPaymentMethod.get(id);
}

export function cardForNumber(number: string): TestCard | undefined {
  return byNumber.get(number);
}

/** The test card a fingerprint belongs to; any other card simply approves. */
export function cardForFingerprint(fingerprint: string | null | undefined): TestCard | undefined {
  return fingerprint ? byFingerprint.get(fingerprint) : undefined;
}

/** The brand of an arbitrary number, by its leading digits (IIN ranges). */
export function brandOfNumber(number: string): BrandKey {
  const two = Number(number.slice(0, 2));
  const four = Number(number.slice(0, 4));
  if (number.startsWith('4')) return 'visa';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (number.startsWith('6011') || number.startsWith('65')) return 'discover';
  if (four >= 6440 && four <= 6499) return 'discover';
  if (two === 35) return 'jcb';
  if (two === 36 || two === 38 || two === 39 || (four >= 3000 && four <= 3059)) return 'diners';
  if (two === 62) return 'unionpay';
  return 'unknown';
}

function isBrandKey(key: string): key is BrandKey {
  return Object.hasOwn(BRANDS, key);
}

/** The brand key of either spelling (`Visa` or `visa`); `unknown` for anything else. */
export function brandKeyOfName(name: string): BrandKey {
  for (const [key, brand] of Object.entries(BRANDS)) {
    if ((brand.name === name || brand.code === name) && isBrandKey(key)) return key;
  }
  return 'unknown';
}
