import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectRejection, prop, useTestSandbox } from '../support/sandbox.ts';

/**
 * Every row of Stripe's test-card table (stripe-semantics.md §7), driven through the official SDK
 * in each way a card reaches a customer: a magic token as `source`, a PaymentMethod made from that
 * token, a magic `pm_card_*` id, and a raw number through `tokens.create`.
 */

interface Decline {
  code: string;
  declineCode?: string;
}

type Outcome =
  | { kind: 'succeeded' }
  | { kind: 'declined'; decline: Decline }
  | { kind: 'authentication_required' };

interface CardRow {
  label: string;
  tokens: string[];
  paymentMethods: string[];
  numbers: string[];
  /** Attaching to a customer fails with this; undefined when the card attaches. */
  attachError?: Decline;
  /** What an off-session confirmation does, for cards that attach. */
  offSession?: Outcome;
  /** An on-session confirmation stops at `requires_action` (3-D Secure challenge). */
  onSessionRequiresAction?: boolean;
}

const SUCCEEDED: Outcome = { kind: 'succeeded' };
const AUTH_REQUIRED: Outcome = { kind: 'authentication_required' };

const ROWS: CardRow[] = [
  {
    label: 'Visa',
    tokens: ['tok_visa'],
    paymentMethods: ['pm_card_visa'],
    numbers: ['4242424242424242'],
    offSession: SUCCEEDED,
  },
  {
    label: 'Mastercard',
    tokens: ['tok_mastercard'],
    paymentMethods: ['pm_card_mastercard'],
    numbers: ['5555555555554444'],
    offSession: SUCCEEDED,
  },
  {
    label: 'American Express',
    tokens: ['tok_amex'],
    paymentMethods: ['pm_card_amex'],
    numbers: ['378282246310005', '371449635398431'],
    offSession: SUCCEEDED,
  },
  {
    label: 'generic decline',
    tokens: ['tok_visa_chargeDeclined', 'tok_chargeDeclined'],
    paymentMethods: ['pm_card_visa_chargeDeclined'],
    numbers: ['4000000000000002'],
    attachError: { code: 'card_declined', declineCode: 'generic_decline' },
  },
  {
    label: 'insufficient funds',
    tokens: ['tok_visa_chargeDeclinedInsufficientFunds', 'tok_chargeDeclinedInsufficientFunds'],
    paymentMethods: ['pm_card_visa_chargeDeclinedInsufficientFunds'],
    numbers: ['4000000000009995'],
    attachError: { code: 'card_declined', declineCode: 'insufficient_funds' },
  },
  {
    label: 'lost card',
    tokens: ['tok_visa_chargeDeclinedLostCard'],
    paymentMethods: ['pm_card_visa_chargeDeclinedLostCard'],
    numbers: ['4000000000009987'],
    attachError: { code: 'card_declined', declineCode: 'lost_card' },
  },
  {
    label: 'stolen card',
    tokens: ['tok_visa_chargeDeclinedStolenCard'],
    paymentMethods: ['pm_card_visa_chargeDeclinedStolenCard'],
    numbers: ['4000000000009979'],
    attachError: { code: 'card_declined', declineCode: 'stolen_card' },
  },
  {
    label: 'expired card',
    tokens: ['tok_chargeDeclinedExpiredCard', 'tok_visa_chargeDeclinedExpiredCard'],
    paymentMethods: ['pm_card_chargeDeclinedExpiredCard'],
    numbers: ['4000000000000069'],
    attachError: { code: 'expired_card' },
  },
  {
    label: 'incorrect CVC',
    tokens: ['tok_chargeDeclinedIncorrectCvc', 'tok_visa_chargeDeclinedIncorrectCvc'],
    paymentMethods: ['pm_card_chargeDeclinedIncorrectCvc'],
    numbers: ['4000000000000127'],
    attachError: { code: 'incorrect_cvc' },
  },
  {
    label: 'processing error',
    tokens: ['tok_chargeDeclinedProcessingError', 'tok_visa_chargeDeclinedProcessingError'],
    paymentMethods: ['pm_card_chargeDeclinedProcessingError'],
    numbers: ['4000000000000119'],
    attachError: { code: 'processing_error' },
  },
  {
    label: 'velocity limit exceeded',
    tokens: ['tok_visa_chargeDeclinedVelocityLimitExceeded'],
    paymentMethods: ['pm_card_visa_chargeDeclinedVelocityLimitExceeded'],
    numbers: ['4000000000006975'],
    attachError: { code: 'card_declined', declineCode: 'card_velocity_exceeded' },
  },
  {
    // The doc row names `expired_card`, which looks like a doc error; `fraudulent` is unverified.
    label: 'fraudulent',
    tokens: ['tok_visa_chargeDeclinedFraudulent', 'tok_chargeDeclinedFraudulent'],
    paymentMethods: [],
    numbers: ['4100000000000019'],
    attachError: { code: 'card_declined', declineCode: 'fraudulent' },
  },
  {
    label: 'attaches, then every charge fails',
    tokens: ['tok_chargeCustomerFail', 'tok_visa_chargeCustomerFail'],
    paymentMethods: ['pm_card_chargeCustomerFail'],
    numbers: ['4000000000000341'],
    offSession: {
      kind: 'declined',
      decline: { code: 'card_declined', declineCode: 'generic_decline' },
    },
  },
  {
    label: 'attaches, then every charge fails as lost',
    tokens: ['tok_visa_chargeCustomerFailLostCard'],
    paymentMethods: [],
    numbers: [],
    offSession: { kind: 'declined', decline: { code: 'card_declined', declineCode: 'lost_card' } },
  },
  {
    label: 'attaches, then every charge fails as stolen',
    tokens: ['tok_visa_chargeCustomerFailStolenCard'],
    paymentMethods: [],
    numbers: [],
    offSession: {
      kind: 'declined',
      decline: { code: 'card_declined', declineCode: 'stolen_card' },
    },
  },
  {
    label: '3-D Secure 2 required',
    tokens: ['tok_threeDSecure2Required'],
    paymentMethods: ['pm_card_threeDSecure2Required'],
    numbers: ['4000000000003220'],
    offSession: AUTH_REQUIRED,
    onSessionRequiresAction: true,
  },
  {
    label: 'authentication always required',
    tokens: [],
    paymentMethods: ['pm_card_authenticationRequired'],
    numbers: ['4000002760003184'],
    offSession: AUTH_REQUIRED,
    onSessionRequiresAction: true,
  },
  {
    label: 'authentication required unless set up',
    tokens: [],
    paymentMethods: ['pm_card_authenticationRequiredOnSetup'],
    numbers: ['4000002500003155'],
    offSession: AUTH_REQUIRED,
    onSessionRequiresAction: true,
  },
  {
    label: 'authentication on-session only',
    tokens: [],
    paymentMethods: ['pm_card_authenticationRequiredSetupForOffSession'],
    numbers: ['4000003800000446'],
    offSession: SUCCEEDED,
    onSessionRequiresAction: true,
  },
  {
    label: 'authentication required, then insufficient funds',
    tokens: [],
    paymentMethods: ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds'],
    numbers: ['4000008260003178'],
    offSession: {
      kind: 'declined',
      decline: { code: 'card_declined', declineCode: 'insufficient_funds' },
    },
    onSessionRequiresAction: true,
  },
  {
    label: '3-D Secure optional',
    tokens: ['tok_threeDSecureOptional'],
    paymentMethods: [],
    numbers: ['4000000000003055'],
    offSession: SUCCEEDED,
  },
];

const AMOUNT = 2000;
const FUTURE_YEAR = String(new Date().getUTCFullYear() + 3);

/** How a card reaches a customer; each returns the customer and the id to pay with. */
interface Attached {
  customerId: string;
  paymentMethodId: string;
}

type Way = 'source token' | 'payment method from token' | 'magic payment method' | 'card number';

interface Case {
  row: CardRow;
  way: Way;
  ref: string;
}

function casesOf(row: CardRow): Case[] {
  return [
    ...row.tokens.map((ref): Case => ({ row, way: 'source token', ref })),
    ...row.tokens.map((ref): Case => ({ row, way: 'payment method from token', ref })),
    ...row.paymentMethods.map((ref): Case => ({ row, way: 'magic payment method', ref })),
    ...row.numbers.map((ref): Case => ({ row, way: 'card number', ref })),
  ];
}

/** The last four digits Stripe shows for the card, when the table names its number. */
function expectedLast4(c: Case): string | undefined {
  return c.way === 'card number' ? c.ref.slice(-4) : c.row.numbers[0]?.slice(-4);
}

describe('sandbox test cards', () => {
  const t = useTestSandbox();
  let serial = 0;

  const email = () => {
    serial += 1;
    return `card${serial}@example.com`;
  };

  async function tokenFor(number: string): Promise<string> {
    const token = await t.stripe.tokens.create({
      card: {
        number,
        exp_month: '12',
        exp_year: FUTURE_YEAR,
        cvc: number.startsWith('3') ? '1234' : '123',
      },
    });
    assert.match(token.id, /^tok_/);
    assert.equal(token.card?.last4, number.slice(-4));
    return token.id;
  }

  /** Starts attaching the card; the returned promise settles with the attach call itself. */
  async function attach(c: Case): Promise<() => Promise<Attached>> {
    switch (c.way) {
      case 'source token':
        return () => attachSource(c.ref);
      case 'card number': {
        // Tokenization succeeds even for decline-table numbers: they fail when attached.
        const token = await tokenFor(c.ref);
        return () => attachSource(token);
      }
      case 'payment method from token': {
        // Creating the PaymentMethod does not contact the issuer; the attach does.
        const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { token: c.ref } });
        assert.match(pm.id, /^pm_/);
        return async () => {
          const customer = await t.stripe.customers.create({
            email: email(),
            payment_method: pm.id,
            invoice_settings: { default_payment_method: pm.id },
          });
          const dpm = customer.invoice_settings.default_payment_method;
          assert.equal(typeof dpm === 'string' ? dpm : dpm?.id, pm.id);
          return { customerId: customer.id, paymentMethodId: pm.id };
        };
      }
      case 'magic payment method':
        return async () => {
          const customer = await t.stripe.customers.create({
            email: email(),
            payment_method: c.ref,
          });
          const pms = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
          assert.equal(pms.data.length, 1);
          const pm = pms.data[0];
          assert.ok(pm);
          // Each use of a magic id mints a new PaymentMethod.
          assert.notEqual(pm.id, c.ref);
          assert.match(pm.id, /^pm_/);
          assert.equal(pm.customer, customer.id);
          return { customerId: customer.id, paymentMethodId: pm.id };
        };
    }
  }

  async function attachSource(source: string): Promise<Attached> {
    const customer = await t.stripe.customers.create({ email: email(), source });
    const card = customer.default_source;
    assert.equal(typeof card, 'string');
    assert.match(String(card), /^card_/);
    return { customerId: customer.id, paymentMethodId: String(card) };
  }

  async function lastFourOf(attached: Attached): Promise<string | undefined> {
    if (attached.paymentMethodId.startsWith('card_')) {
      const card = await t.stripe.customers.retrieveSource(
        attached.customerId,
        attached.paymentMethodId,
      );
      return card.object === 'card' ? card.last4 : undefined;
    }
    const pm = await t.stripe.paymentMethods.retrieve(attached.paymentMethodId);
    return pm.card?.last4;
  }

  function confirmOffSession(attached: Attached): Promise<Stripe.PaymentIntent> {
    return t.stripe.paymentIntents.create({
      amount: AMOUNT,
      currency: 'usd',
      customer: attached.customerId,
      payment_method: attached.paymentMethodId,
      confirm: true,
      off_session: true,
      allowed_payment_method_types: ['card'],
    });
  }

  async function expectSucceeded(attached: Attached): Promise<void> {
    const pi = await confirmOffSession(attached);
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, AMOUNT);
    assert.equal(pi.last_payment_error, null);
    assert.equal(typeof pi.latest_charge, 'string');
    const charge = await t.stripe.charges.retrieve(String(pi.latest_charge));
    assert.match(charge.id, /^ch_/);
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.paid, true);
    assert.equal(charge.amount, AMOUNT);
    assert.equal(charge.payment_intent, pi.id);
  }

  /** Confirms off-session and checks the 402 and the PaymentIntent it leaves behind. */
  async function expectChargeFailure(attached: Attached, decline: Decline): Promise<string> {
    const err = await expectRejection(confirmOffSession(attached), Stripe.errors.StripeCardError);
    assert.equal(err.statusCode, 402);
    assert.equal(err.rawType, 'card_error');
    assert.equal(err.code, decline.code);
    if (decline.declineCode !== undefined) assert.equal(err.decline_code, decline.declineCode);
    assert.ok(isPaymentIntentLike(prop(err.raw, 'payment_intent')), 'err.raw.payment_intent');
    const failed = err.payment_intent;
    assert.ok(failed, 'the error carries the PaymentIntent');
    assert.match(failed.id, /^pi_/);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, decline.code);

    const stored = await t.stripe.paymentIntents.retrieve(failed.id);
    assert.equal(stored.status, 'requires_payment_method');
    assert.equal(stored.customer, attached.customerId);
    assert.equal(stored.last_payment_error?.code, decline.code);
    if (decline.declineCode !== undefined) {
      assert.equal(stored.last_payment_error?.decline_code, decline.declineCode);
    }
    return failed.id;
  }

  async function expectOnSessionRequiresAction(attached: Attached): Promise<void> {
    const pi = await t.stripe.paymentIntents.create({
      amount: AMOUNT,
      currency: 'usd',
      customer: attached.customerId,
      payment_method: attached.paymentMethodId,
      confirm: true,
      allowed_payment_method_types: ['card'],
    });
    assert.equal(pi.lastResponse.statusCode, 200);
    assert.equal(pi.status, 'requires_action');
    assert.ok(pi.next_action, 'next_action is set');
    assert.equal(pi.amount_received, 0);
  }

  for (const row of ROWS) {
    describe(row.label, () => {
      for (const c of casesOf(row)) {
        const attachError = row.attachError;
        if (attachError !== undefined) {
          it(`${c.way} ${c.ref}: attach fails with 402 ${attachError.code} and creates no customer`, async () => {
            const attachCall = await attach(c);
            const err = await expectRejection(attachCall(), Stripe.errors.StripeCardError);
            assert.equal(err.statusCode, 402);
            assert.equal(err.rawType, 'card_error');
            assert.equal(err.code, attachError.code);
            if (attachError.declineCode !== undefined) {
              assert.equal(err.decline_code, attachError.declineCode);
            }
            assert.match(err.requestId ?? '', /^req_/);
            const customers = await t.stripe.customers.list({ limit: 100 });
            assert.deepEqual(
              customers.data.map((customer) => customer.id),
              [],
            );
          });
          continue;
        }

        const outcome = row.offSession ?? SUCCEEDED;
        it(`${c.way} ${c.ref}: attaches, then off-session confirm ${describeOutcome(outcome)}`, async () => {
          const attached = await (await attach(c))();
          const last4 = expectedLast4(c);
          if (last4 !== undefined) assert.equal(await lastFourOf(attached), last4);

          if (outcome.kind === 'succeeded') {
            await expectSucceeded(attached);
            return;
          }
          const decline =
            outcome.kind === 'declined'
              ? outcome.decline
              : { code: 'authentication_required', declineCode: 'authentication_required' };
          // Every charge fails, not just the first, and each failure leaves its own PI.
          const first = await expectChargeFailure(attached, decline);
          const second = await expectChargeFailure(attached, decline);
          assert.notEqual(first, second);
          const listed = await t.stripe.paymentIntents.list({ customer: attached.customerId });
          assert.deepEqual(listed.data.map((pi) => pi.id).sort(), [first, second].sort());
        });

        if (row.onSessionRequiresAction === true) {
          it(`${c.way} ${c.ref}: on-session confirm answers 200 requires_action`, async () => {
            const attached = await (await attach(c))();
            await expectOnSessionRequiresAction(attached);
          });
        }
      }
    });
  }

  describe('decline-table PaymentMethods confirmed without a customer', () => {
    for (const row of ROWS) {
      const attachError = row.attachError;
      if (attachError === undefined) continue;
      for (const pm of row.paymentMethods) {
        it(`${pm}: 402 ${attachError.code} with a requires_payment_method PI`, async () => {
          const err = await expectRejection(
            t.stripe.paymentIntents.create({
              amount: AMOUNT,
              currency: 'usd',
              payment_method: pm,
              confirm: true,
              allowed_payment_method_types: ['card'],
            }),
            Stripe.errors.StripeCardError,
          );
          assert.equal(err.code, attachError.code);
          if (attachError.declineCode !== undefined) {
            assert.equal(err.decline_code, attachError.declineCode);
          }
          assert.equal(err.payment_intent?.status, 'requires_payment_method');
          assert.equal(err.payment_intent?.last_payment_error?.code, attachError.code);
          assert.match(err.charge ?? '', /^ch_/);
          const stored = await t.stripe.paymentIntents.retrieve(err.payment_intent?.id ?? '');
          assert.equal(stored.status, 'requires_payment_method');
          assert.equal(stored.latest_charge, err.charge);
        });
      }
    }
  });

  describe('tokenization errors', () => {
    it('a number failing the Luhn check gives 402 incorrect_number on tokens.create', async () => {
      const err = await expectRejection(
        t.stripe.tokens.create({
          card: { number: '4242424242424241', exp_month: '12', exp_year: FUTURE_YEAR, cvc: '123' },
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(err.statusCode, 402);
      assert.equal(err.rawType, 'card_error');
      assert.equal(err.code, 'incorrect_number');
      assert.equal(err.param, 'number');
    });

    it('a month of 13 gives 402 invalid_expiry_month', async () => {
      const err = await expectRejection(
        t.stripe.tokens.create({
          card: { number: '4242424242424242', exp_month: '13', exp_year: FUTURE_YEAR, cvc: '123' },
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(err.statusCode, 402);
      assert.equal(err.code, 'invalid_expiry_month');
      assert.equal(err.param, 'exp_month');
    });

    it('a year in the past gives 402 invalid_expiry_year', async () => {
      const err = await expectRejection(
        t.stripe.tokens.create({
          card: { number: '4242424242424242', exp_month: '12', exp_year: '2020', cvc: '123' },
        }),
        Stripe.errors.StripeCardError,
      );
      assert.equal(err.statusCode, 402);
      assert.equal(err.code, 'invalid_expiry_year');
      assert.equal(err.param, 'exp_year');
    });
  });
});

function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'succeeded':
      return 'succeeds with a charge';
    case 'declined':
      return `fails every time with 402 ${outcome.decline.declineCode ?? outcome.decline.code}`;
    case 'authentication_required':
      return 'fails every time with 402 authentication_required';
  }
}

function isPaymentIntentLike(value: unknown): boolean {
  return typeof prop(value, 'id') === 'string' && prop(value, 'object') === 'payment_intent';
}
