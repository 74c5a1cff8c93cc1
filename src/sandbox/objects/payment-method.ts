import type Stripe from 'stripe';
import type { CardDetails } from '../card-details.ts';
import { BRANDS } from '../cards.ts';

/** Billing details as given at creation; every field Stripe returns is present, null if unset. */
export interface BillingInput {
  name?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  address?: Partial<Stripe.Address> | undefined;
}

export function buildBillingDetails(input: BillingInput = {}): Stripe.PaymentMethod.BillingDetails {
  const address = input.address ?? {};
  return {
    address: {
      city: address.city ?? null,
      country: address.country ?? null,
      line1: address.line1 ?? null,
      line2: address.line2 ?? null,
      postal_code: address.postal_code ?? null,
      state: address.state ?? null,
    },
    email: input.email ?? null,
    name: input.name ?? null,
    phone: input.phone ?? null,
    tax_id: null,
  };
}

/** A `card` PaymentMethod (`pm_...`). */
export function buildPaymentMethod(
  details: CardDetails,
  id: string,
  created: number,
  options: { billing?: BillingInput; metadata?: Record<string, string> } = {},
): Stripe.PaymentMethod {
  const brand = BRANDS[details.brand].code;
  return {
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: buildBillingDetails({ name: details.name, ...options.billing }),
    card: {
      brand,
      checks: {
        address_line1_check: null,
        address_postal_code_check: null,
        cvc_check: details.cvcCheck,
      },
      country: details.country,
      display_brand: brand,
      exp_month: details.expMonth,
      exp_year: details.expYear,
      fingerprint: details.fingerprint,
      funding: details.funding,
      generated_from: null,
      last4: details.last4,
      networks: { available: [brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: options.metadata ?? {},
    type: 'card',
  };
}
