/**
 * Typed reads and writes of each object type, so the index columns (`owner`, `tag`) are derived
 * in one place: a customer is found by email, a Card / PaymentMethod / PaymentIntent / Charge by
 * its customer, and a Charge also by its PaymentIntent.
 */
import type Stripe from 'stripe';
import type { Index, Store } from './store.ts';

/** The id of an expandable reference (`string | {id} | null`). */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

interface Indexers {
  customer: Stripe.Customer;
  card: Stripe.Card;
  payment_method: Stripe.PaymentMethod;
  token: Stripe.Token;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
}

function indexOf(object: Indexers[keyof Indexers]): Index {
  switch (object.object) {
    case 'customer':
      return { tag: object.email };
    case 'card':
      return { owner: idOf(object.customer) };
    case 'payment_method':
      return { owner: idOf(object.customer), tag: object.type };
    case 'payment_intent':
      return { owner: idOf(object.customer) };
    case 'charge':
      return { owner: idOf(object.customer), tag: idOf(object.payment_intent) };
    case 'token':
      return {};
  }
}

/** Stores a new object; a Card has no `created`, so it is placed at `fallbackCreated`. */
export function insertRecord<K extends keyof Indexers>(
  store: Store,
  type: K,
  object: Indexers[K],
  fallbackCreated = Math.floor(Date.now() / 1000),
) {
  const created = 'created' in object ? object.created : fallbackCreated;
  store.insert(type, object, created, indexOf(object));
}

export function saveRecord<K extends keyof Indexers>(store: Store, type: K, object: Indexers[K]) {
  store.save(type, object, indexOf(object));
}

export function getRecord<K extends keyof Indexers>(
  store: Store,
  type: K,
  id: string,
): Indexers[K] | undefined {
  return store.get<Indexers[K]>(type, id);
}
