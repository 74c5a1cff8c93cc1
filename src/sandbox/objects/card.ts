import type Stripe from 'stripe';
import type { CardDetails } from '../card-details.ts';
import { BRANDS } from '../cards.ts';

/** A legacy Card object (`card_...`), as tokens carry and customers hold as sources. */
export function buildCard(
  details: CardDetails,
  id: string,
  customer: string | null,
  metadata: Record<string, string> = {},
): Stripe.Card {
  return {
    id,
    object: 'card',
    address_city: null,
    address_country: null,
    address_line1: null,
    address_line1_check: null,
    address_line2: null,
    address_state: null,
    address_zip: null,
    address_zip_check: null,
    brand: BRANDS[details.brand].name,
    country: details.country,
    customer,
    cvc_check: details.cvcCheck,
    dynamic_last4: null,
    exp_month: details.expMonth,
    exp_year: details.expYear,
    fingerprint: details.fingerprint,
    funding: details.funding,
    last4: details.last4,
    metadata,
    name: details.name,
    regulated_status: 'unregulated',
    tokenization_method: null,
  };
}
