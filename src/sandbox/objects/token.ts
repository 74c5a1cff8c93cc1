import type Stripe from 'stripe';
import type { CardDetails } from '../card-details.ts';
import { buildCard } from './card.ts';

/** A card token (`tok_...`) carrying a Card whose id the card keeps once attached. */
export function buildToken(
  details: CardDetails,
  id: string,
  cardId: string,
  created: number,
): Stripe.Token {
  return {
    id,
    object: 'token',
    card: buildCard(details, cardId, null),
    client_ip: null,
    created,
    livemode: false,
    type: 'card',
    used: false,
  };
}
