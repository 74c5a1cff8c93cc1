import type { PaymentsDeps } from './deps.ts';
import { AppError, appError, cardError, isRecord, type ProblemFields } from './errors.ts';
import { type Answer, runIdempotent } from './idempotency.ts';
import { keyRoot, newAttemptId, requestHash, stripeKey } from './keys.ts';
import type { PaymentAttempt } from './ledger.ts';
import { recordAttempt } from './record.ts';
import type { PaymentIntentOutcome } from './stripe-port.ts';

/** The API charges US dollars only. */
export const CURRENCY = 'usd';

export interface ChargeInput {
  stripeCustomerID: string;
  /** US cents, already validated as an integer in 50..99,999,999. */
  amount: number;
  idempotencyKey: string | null;
}

export interface ChargeCreated {
  paymentIntentID: string;
  status: string;
  amount: number;
  currency: string;
}

/**
 * Charges a customer's default card, off-session: retrieve the customer -> resolve its default
 * payment method -> write a pending attempt -> create and confirm the PaymentIntent -> record it.
 *
 * The attempt is written before Stripe is called, so a crash at any later point leaves a trace the
 * sweeper resolves. A refused card is recorded too: its PaymentIntent exists and is part of the
 * customer's history.
 */
export async function chargeCustomer(
  deps: PaymentsDeps,
  input: ChargeInput,
): Promise<Answer<ChargeCreated>> {
  const hash = requestHash({ stripeCustomerID: input.stripeCustomerID, amount: input.amount });
  const request = {
    scope: 'payment' as const,
    key: input.idempotencyKey,
    requestHash: hash,
    parseStored: parseChargeCreated,
  };

  return runIdempotent(deps, request, async () => {
    const { ledger, stripe, clock } = deps;
    const root = keyRoot('payment', input.idempotencyKey, hash);

    const customer = await stripe.retrieveCustomer(input.stripeCustomerID);
    if (customer === null) throw appError('customer_not_found');
    const paymentMethodId = customer.defaultPaymentMethod;
    if (paymentMethodId === null) throw appError('customer_has_no_payment_method');

    const now = clock.now();
    const attempt: PaymentAttempt = {
      id: newAttemptId(),
      customerId: customer.id,
      amount: input.amount,
      currency: CURRENCY,
      stripeIdempotencyKey: stripeKey(root, 'create_payment_intent'),
      status: 'pending',
      paymentIntentId: null,
      createdAt: now,
      updatedAt: now,
    };
    await ledger.insertAttempt(attempt);

    const outcome = await confirmPayment(deps, attempt, paymentMethodId);
    await recordAttempt(deps, attempt, outcome.paymentIntent);

    if (outcome.decline !== null) throw declineError(outcome);
    const pi = outcome.paymentIntent;
    return {
      status: 201,
      body: { paymentIntentID: pi.id, status: pi.status, amount: pi.amount, currency: pi.currency },
    };
  });
}

async function confirmPayment(
  deps: PaymentsDeps,
  attempt: PaymentAttempt,
  paymentMethodId: string,
): Promise<PaymentIntentOutcome> {
  try {
    return await deps.stripe.createPaymentIntent({
      customerId: attempt.customerId,
      amount: attempt.amount,
      currency: attempt.currency,
      paymentMethodId,
      idempotencyKey: attempt.stripeIdempotencyKey,
    });
  } catch (error) {
    // A 4xx from Stripe means it created nothing: the attempt is over. Anything else leaves the
    // outcome unknown, so the attempt stays pending for the sweeper.
    if (error instanceof AppError && !error.transient) {
      await deps.ledger.resolveAttempt(attempt.id, {
        status: 'failed',
        paymentIntentId: null,
        now: deps.clock.now(),
      });
    }
    throw error;
  }
}

function declineError({ paymentIntent: pi, decline }: PaymentIntentOutcome): AppError {
  const code = decline?.code ?? 'card_declined';
  const declineCode = decline?.declineCode ?? null;
  const fields: ProblemFields = { paymentIntentID: pi.id };
  if (declineCode !== null) fields.declineCode = declineCode;

  // The front end confirms this same PaymentIntent on-session with its client secret.
  const needsAuthentication =
    code === 'authentication_required' || declineCode === 'authentication_required';
  if (needsAuthentication && pi.clientSecret !== null) fields.clientSecret = pi.clientSecret;

  const message = decline?.message;
  return cardError(code, message ? { detail: message, fields } : { fields });
}

function parseChargeCreated(body: unknown): ChargeCreated | null {
  if (!isRecord(body)) return null;
  const { paymentIntentID, status, amount, currency } = body;
  if (typeof paymentIntentID !== 'string' || typeof status !== 'string') return null;
  if (typeof amount !== 'number' || typeof currency !== 'string') return null;
  return { paymentIntentID, status, amount, currency };
}
