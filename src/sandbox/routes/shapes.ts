import type Stripe from 'stripe';
import { hash, type Params } from '../params.ts';

/** An address hash, as customers and billing details take it. */
export const ADDRESS = hash({
  city: 'string',
  country: 'string',
  line1: 'string',
  line2: 'string',
  postal_code: 'string',
  state: 'string',
});

/** The address sent, with every field Stripe returns (null when not given). */
export function addressOf(params: Params | undefined): Stripe.Address | undefined {
  if (!params) return undefined;
  return {
    city: params.string('city') ?? null,
    country: params.string('country') ?? null,
    line1: params.string('line1') ?? null,
    line2: params.string('line2') ?? null,
    postal_code: params.string('postal_code') ?? null,
    state: params.string('state') ?? null,
  };
}
