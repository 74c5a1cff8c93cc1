/**
 * The PaymentIntent status machine: confirmation (charge, decline, or 3-D Secure), cancellation,
 * and which statuses allow which. Statuses: requires_payment_method -> (confirm) -> succeeded |
 * requires_capture (manual capture) | requires_action (3-D Secure on session) |
 * requires_payment_method again with `last_payment_error` (declined).
 */
import type Stripe from 'stripe';
import {
  attemptCharge,
  declineFields,
  declineReply,
  type Instrument,
  instrumentId,
} from './charging.ts';
import { type Ctx, ok, type Reply } from './context.ts';
import { customerCard } from './customer-cards.ts';
import { docUrl, invalidRequest, resourceMissing, stateError } from './errors.ts';
import { newId } from './ids.ts';
import { findPaymentMethod } from './instruments.ts';
import { getRecord, idOf, saveRecord } from './records.ts';

const CONFIRMABLE = ['requires_confirmation', 'requires_action', 'requires_payment_method'];
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

export interface ConfirmOptions {
  /** A payment method named by this request (else the PaymentIntent's, else the default source). */
  paymentMethod?: string | undefined;
  offSession: boolean;
  returnUrl: string | null;
  errorOnRequiresAction: boolean;
}

/**
 * The instrument an id names for this PaymentIntent: a PaymentMethod (magic ids mint one) or a
 * legacy Card of its customer. A PaymentMethod attached to a customer needs that customer.
 */
export function resolveInstrument(ctx: Ctx, pi: Stripe.PaymentIntent, id: string): Instrument {
  const customer = idOf(pi.customer);
  if (id.startsWith('card_')) {
    const card = customer === null ? undefined : customerCard(ctx, customer, id);
    if (!card) throw resourceMissing('PaymentMethod', id, 'payment_method');
    return { kind: 'card', card };
  }
  const pm = findPaymentMethod(ctx, id, 'payment_method');
  const owner = idOf(pm.customer);
  if (owner !== null && owner !== customer) {
    throw invalidRequest(
      `The provided PaymentMethod ${pm.id} is attached to customer ${owner}; pass that customer ` +
        'with the PaymentIntent to use it.',
      'payment_method',
    );
  }
  return { kind: 'payment_method', pm };
}

function defaultSource(ctx: Ctx, pi: Stripe.PaymentIntent): string | undefined {
  const customerId = idOf(pi.customer);
  if (customerId === null) return undefined;
  const customer = getRecord(ctx.store, 'customer', customerId);
  return idOf(customer?.default_source ?? null) ?? undefined;
}

function nextAction(
  returnUrl: string | null,
  pi: Stripe.PaymentIntent,
): Stripe.PaymentIntent.NextAction {
  const url = `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${pi.id}`;
  if (returnUrl !== null) {
    return { type: 'redirect_to_url', redirect_to_url: { url, return_url: returnUrl } };
  }
  return {
    type: 'use_stripe_sdk',
    use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: url, source: newId('src') },
  };
}

/**
 * Confirms `pi` in place and returns the answer: 200 with the PaymentIntent, or 402 for a decline
 * (the PaymentIntent and the failed Charge are kept). The caller stores `pi`. Throws, writing
 * nothing, when the PaymentIntent cannot be confirmed at all.
 */
export function confirmPaymentIntent(
  ctx: Ctx,
  pi: Stripe.PaymentIntent,
  options: ConfirmOptions,
): Reply {
  if (!CONFIRMABLE.includes(pi.status)) {
    throw stateError(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a ` +
        `PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      pi,
    );
  }
  const id = options.paymentMethod ?? idOf(pi.payment_method) ?? defaultSource(ctx, pi);
  if (id === undefined) {
    throw stateError(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can " +
        'either update the PaymentIntent with a payment method and then confirm it again, or ' +
        'confirm it again directly with a payment method.',
      pi,
    );
  }
  const instrument = resolveInstrument(ctx, pi, id);
  const manual = pi.capture_method === 'manual';
  const result = attemptCharge(ctx, {
    amount: pi.amount,
    currency: pi.currency,
    customer: idOf(pi.customer),
    description: pi.description,
    metadata: pi.metadata,
    paymentIntent: pi.id,
    instrument,
    offSession: options.offSession,
    capture: !manual,
    withBalanceTransaction: pi.capture_method === 'automatic',
    receiptEmail: pi.receipt_email,
    statementDescriptor: pi.statement_descriptor,
  });
  pi.next_action = null;
  pi.last_payment_error = null;

  if (result.kind === 'approved') {
    pi.status = manual ? 'requires_capture' : 'succeeded';
    pi.amount_received = manual ? 0 : pi.amount;
    pi.amount_capturable = manual ? pi.amount : 0;
    pi.latest_charge = result.charge.id;
    pi.payment_method = instrumentId(instrument);
    saveForFutureUsage(ctx, pi, instrument);
    return ok(pi);
  }

  if (result.kind === 'authenticate') {
    if (options.errorOnRequiresAction) {
      const code = 'payment_intent_action_required';
      const message =
        'This payment required an action from the customer, but error_on_requires_action was set.';
      pi.status = 'requires_payment_method';
      pi.payment_method = null;
      pi.last_payment_error = { type: 'card_error', code, message, doc_url: docUrl(code) };
      return declineReply({
        type: 'card_error',
        code,
        message,
        doc_url: docUrl(code),
        payment_intent: pi,
      });
    }
    pi.status = 'requires_action';
    pi.payment_method = instrumentId(instrument);
    pi.next_action = nextAction(options.returnUrl, pi);
    return ok(pi);
  }

  const fields = declineFields(result.decline, result.charge.id);
  pi.status = 'requires_payment_method';
  pi.payment_method = null;
  pi.latest_charge = result.charge.id;
  pi.last_payment_error = {
    type: 'card_error',
    code: result.decline.code,
    decline_code: result.decline.declineCode,
    message: result.decline.message,
    doc_url: docUrl(result.decline.code),
    charge: result.charge.id,
    ...(result.decline.param ? { param: result.decline.param } : {}),
    ...(instrument.kind === 'payment_method'
      ? { payment_method: instrument.pm, payment_method_type: 'card' }
      : { source: instrument.card }),
  };
  return declineReply({
    ...fields,
    payment_intent: pi,
    ...(instrument.kind === 'payment_method' ? { payment_method: instrument.pm } : {}),
  });
}

/** With `setup_future_usage`, a successful payment attaches its PaymentMethod to the customer. */
function saveForFutureUsage(ctx: Ctx, pi: Stripe.PaymentIntent, instrument: Instrument): void {
  const customer = idOf(pi.customer);
  if (pi.setup_future_usage === null || customer === null || instrument.kind !== 'payment_method') {
    return;
  }
  if (instrument.pm.customer !== null) return;
  instrument.pm.customer = customer;
  saveRecord(ctx.store, 'payment_method', instrument.pm);
}

/** Cancels `pi` in place; an uncaptured charge is released (refunded in full). */
export function cancelPaymentIntent(
  ctx: Ctx,
  pi: Stripe.PaymentIntent,
  reason: string | null,
): void {
  if (!CANCELABLE.includes(pi.status)) {
    throw stateError(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a ` +
        `PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      pi,
    );
  }
  const chargeId = idOf(pi.latest_charge);
  if (pi.status === 'requires_capture' && chargeId !== null) {
    const charge = getRecord(ctx.store, 'charge', chargeId);
    if (charge) {
      charge.refunded = true;
      charge.amount_refunded = charge.amount;
      saveRecord(ctx.store, 'charge', charge);
    }
  }
  pi.status = 'canceled';
  pi.canceled_at = ctx.now;
  pi.cancellation_reason = reason;
  pi.next_action = null;
  pi.amount_capturable = 0;
}
