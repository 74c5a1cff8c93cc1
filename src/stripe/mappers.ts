import type Stripe from 'stripe';
import type { StripeCustomer, StripePaymentIntent } from '../payments/stripe-port.ts';

/** The domain's view of a PaymentIntent. */
export function toPaymentIntent(pi: Stripe.PaymentIntent): StripePaymentIntent {
  return {
    id: pi.id,
    customerId: idOf(pi.customer),
    amount: pi.amount,
    currency: pi.currency,
    status: pi.status,
    created: new Date(pi.created * 1000),
    metadata: pi.metadata ?? {},
    clientSecret: pi.client_secret,
  };
}

/** The domain's view of a live customer; null for a deleted one. */
export function toCustomer(
  customer: Stripe.Customer | Stripe.DeletedCustomer,
): StripeCustomer | null {
  if (customer.deleted === true) return null;
  // PaymentIntents ignore `invoice_settings.default_payment_method` on their own (they fall back
  // to `default_source` only), which is why the charge passes the method explicitly.
  const preferred = idOf(customer.invoice_settings?.default_payment_method ?? null);
  return {
    id: customer.id,
    email: customer.email ?? null,
    defaultPaymentMethod: preferred ?? idOf(customer.default_source ?? null),
  };
}

/** The id of a reference that Stripe returns either as an id or as an expanded object. */
function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.id;
}
