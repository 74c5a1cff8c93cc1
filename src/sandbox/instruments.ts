/**
 * Turning the ids a request names into cards: magic test tokens and `pm_card_*` ids (reusable,
 * each use a new object), minted tokens (single use), stored PaymentMethods and Cards; and the
 * attach-time check that refuses the decline-table cards.
 */
import type Stripe from 'stripe';
import {
  type CardDetails,
  detailsOfCard,
  detailsOfPaymentMethod,
  detailsOfTestCard,
} from './card-details.ts';
import { cardForFingerprint, cardForPaymentMethod, cardForToken } from './cards.ts';
import type { Ctx } from './context.ts';
import { cardError, invalidRequest, resourceMissing } from './errors.ts';
import { newId } from './ids.ts';
import { buildPaymentMethod } from './objects/payment-method.ts';
import { getRecord, insertRecord, saveRecord } from './records.ts';

/** A card taken from a token: its details and the id the resulting Card gets. */
export interface TokenCard {
  details: CardDetails;
  cardId: string;
}

/**
 * Uses a token: a magic one yields a new card every time; a minted one is marked used, and a
 * second use is `token_already_used`.
 */
export function useToken(ctx: Ctx, id: string, param: string): TokenCard {
  const testCard = cardForToken(id);
  if (testCard) return { details: detailsOfTestCard(testCard, ctx.now), cardId: newId('card') };

  const token = getRecord(ctx.store, 'token', id);
  if (!token?.card) throw resourceMissing('token', id, param);
  if (token.used) {
    throw invalidRequest(
      `You cannot use a Stripe token more than once: ${id}.`,
      param,
      'token_already_used',
    );
  }
  token.used = true;
  saveRecord(ctx.store, 'token', token);
  return { details: detailsOfCard(token.card), cardId: token.card.id };
}

/** A PaymentMethod by id; a magic `pm_card_*` id mints a new one (once per request). */
export function findPaymentMethod(ctx: Ctx, id: string, param: string): Stripe.PaymentMethod {
  const minted = ctx.magic.get(id);
  const stored = getRecord(ctx.store, 'payment_method', minted ?? id);
  if (stored) return stored;

  const testCard = cardForPaymentMethod(id);
  if (!testCard) throw resourceMissing('PaymentMethod', id, param);
  const pm = buildPaymentMethod(detailsOfTestCard(testCard, ctx.now), newId('pm'), ctx.now);
  insertRecord(ctx.store, 'payment_method', pm);
  ctx.magic.set(id, pm.id);
  return pm;
}

/** Card details of a PaymentMethod; the sandbox only has card PaymentMethods. */
export function paymentMethodDetails(pm: Stripe.PaymentMethod): CardDetails {
  const details = detailsOfPaymentMethod(pm);
  if (!details) throw invalidRequest(`PaymentMethod ${pm.id} is not a card.`, 'payment_method');
  return details;
}

/** Throws the 402 Stripe gives when a decline-table card is attached to a customer. */
export function assertAttachable(details: CardDetails): void {
  const decline = cardForFingerprint(details.fingerprint)?.attachDecline;
  if (!decline) return;
  throw cardError({
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    param: decline.param ?? '',
  });
}

/** Attaches a PaymentMethod to a customer (a no-op if it already is attached to that one). */
export function attachPaymentMethod(
  ctx: Ctx,
  pm: Stripe.PaymentMethod,
  customerId: string,
): Stripe.PaymentMethod {
  if (pm.customer === customerId) return pm;
  if (pm.customer !== null) {
    throw invalidRequest(
      'The payment method you provided has already been attached to a customer.',
      'payment_method',
    );
  }
  assertAttachable(paymentMethodDetails(pm));
  pm.customer = customerId;
  saveRecord(ctx.store, 'payment_method', pm);
  return pm;
}
