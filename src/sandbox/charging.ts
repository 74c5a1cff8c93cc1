/**
 * One attempt to charge a card: looks up how the card behaves (cards.ts) and records the Charge,
 * approved or failed. PaymentIntent confirmation and legacy `POST /v1/charges` both go through it.
 */
import type Stripe from 'stripe';
import type { CardDetails } from './card-details.ts';
import { detailsOfCard } from './card-details.ts';
import { cardForFingerprint, DECLINES, type Decline } from './cards.ts';
import type { Ctx, Reply } from './context.ts';
import { docUrl, type ErrorFields, envelope } from './errors.ts';
import { newId } from './ids.ts';
import { paymentMethodDetails } from './instruments.ts';
import { buildCharge } from './objects/charge.ts';
import { buildBillingDetails } from './objects/payment-method.ts';
import { insertRecord } from './records.ts';

export type Instrument =
  | { kind: 'payment_method'; pm: Stripe.PaymentMethod }
  | { kind: 'card'; card: Stripe.Card };

export interface Attempt {
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  paymentIntent: string | null;
  instrument: Instrument;
  /** Off session, a card that wants 3-D Secure fails with `authentication_required`. */
  offSession: boolean;
  capture: boolean;
  withBalanceTransaction: boolean;
  receiptEmail: string | null;
  statementDescriptor: string | null;
}

export type AttemptResult =
  | { kind: 'approved'; charge: Stripe.Charge }
  | { kind: 'declined'; charge: Stripe.Charge; decline: Decline }
  | { kind: 'authenticate' };

export function instrumentDetails(instrument: Instrument): CardDetails {
  return instrument.kind === 'card'
    ? detailsOfCard(instrument.card)
    : paymentMethodDetails(instrument.pm);
}

export function instrumentId(instrument: Instrument): string {
  return instrument.kind === 'card' ? instrument.card.id : instrument.pm.id;
}

/** Charges the instrument (or stops for authentication on session) and stores the Charge. */
export function attemptCharge(ctx: Ctx, attempt: Attempt): AttemptResult {
  const details = instrumentDetails(attempt.instrument);
  const testCard = cardForFingerprint(details.fingerprint);
  const outcome = testCard
    ? attempt.offSession
      ? testCard.offSession
      : testCard.onSession
    : { kind: 'approve' as const };

  let decline: Decline | null = null;
  if (outcome.kind === 'authenticate') {
    if (!attempt.offSession) return { kind: 'authenticate' };
    decline = DECLINES.authenticationRequired;
  } else if (outcome.kind === 'decline') {
    decline = outcome.decline;
  }

  const instrument = attempt.instrument;
  const charge = buildCharge({
    id: newId('ch'),
    created: ctx.now,
    amount: attempt.amount,
    currency: attempt.currency,
    customer: attempt.customer,
    description: attempt.description,
    metadata: attempt.metadata,
    paymentIntent: attempt.paymentIntent,
    paymentMethod: instrumentId(instrument),
    details,
    billing:
      instrument.kind === 'payment_method'
        ? instrument.pm.billing_details
        : buildBillingDetails({ name: instrument.card.name }),
    source: instrument.kind === 'card' ? instrument.card : null,
    decline,
    captured: attempt.capture,
    withBalanceTransaction: attempt.withBalanceTransaction,
    receiptEmail: attempt.receiptEmail,
    statementDescriptor: attempt.statementDescriptor,
  });
  insertRecord(ctx.store, 'charge', charge);
  return decline ? { kind: 'declined', charge, decline } : { kind: 'approved', charge };
}

/** The `card_error` fields of a decline, as `error` and as `last_payment_error` carry them. */
export function declineFields(decline: Decline, chargeId: string): ErrorFields {
  const fields: ErrorFields = {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: docUrl(decline.code),
    charge: chargeId,
  };
  if (decline.param) fields.param = decline.param;
  return fields;
}

/** The 402 answered for a decline; returned (not thrown), so the failed objects are kept. */
export function declineReply(fields: ErrorFields): Reply {
  return { status: 402, body: envelope(fields) };
}
