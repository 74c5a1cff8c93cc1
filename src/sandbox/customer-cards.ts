/**
 * Legacy cards on customers: adding one from a token (the first becomes `default_source`) and
 * keeping `default_source` pointing at a live card when one is removed.
 */
import type Stripe from 'stripe';
import type { Ctx } from './context.ts';
import { assertAttachable, type TokenCard } from './instruments.ts';
import { buildCard } from './objects/card.ts';
import { idOf, insertRecord, saveRecord } from './records.ts';

/** Attaches a token's card to the customer; decline-table cards are refused with a 402. */
export function addCard(
  ctx: Ctx,
  customer: Stripe.Customer,
  token: TokenCard,
  metadata: Record<string, string> = {},
): Stripe.Card {
  assertAttachable(token.details);
  const card = buildCard(token.details, token.cardId, customer.id, metadata);
  insertRecord(ctx.store, 'card', card, ctx.now);
  if (customer.default_source === null) customer.default_source = card.id;
  return card;
}

/** A card of this customer, or undefined. */
export function customerCard(
  ctx: Ctx,
  customerId: string,
  cardId: string,
): Stripe.Card | undefined {
  const card = ctx.store.get<Stripe.Card>('card', cardId);
  return card && idOf(card.customer ?? null) === customerId ? card : undefined;
}

/**
 * Removes a card; if it was the default, the most recently added remaining card becomes the
 * default (or none). The caller saves the customer.
 */
export function removeCard(ctx: Ctx, customer: Stripe.Customer, cardId: string): void {
  ctx.store.remove('card', cardId);
  if (idOf(customer.default_source) !== cardId) return;
  const [next] = ctx.store.list<Stripe.Card>({ type: 'card', owner: customer.id, limit: 1 }).items;
  customer.default_source = next?.id ?? null;
}

export function saveCustomer(ctx: Ctx, customer: Stripe.Customer): void {
  saveRecord(ctx.store, 'customer', customer);
}
