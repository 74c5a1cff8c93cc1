import type Stripe from 'stripe';
import type { CardDetails } from '../card-details.ts';
import { BRANDS, type Decline } from '../cards.ts';
import { newId, randomAlphanumeric } from '../ids.ts';

export interface ChargeInput {
  id: string;
  created: number;
  amount: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  paymentIntent: string | null;
  /** The instrument's id: a `pm_...` for PaymentIntents, a `card_...` for legacy charges. */
  paymentMethod: string;
  details: CardDetails;
  billing: Stripe.PaymentMethod.BillingDetails;
  /** The Card charged by a legacy charge; null for PaymentIntents. */
  source: Stripe.Card | null;
  /** Null for an approved charge. */
  decline: Decline | null;
  captured: boolean;
  /** `automatic_async` capture leaves the balance transaction to be filled in later. */
  withBalanceTransaction: boolean;
  receiptEmail: string | null;
  statementDescriptor: string | null;
}

function outcomeOf(decline: Decline | null): Stripe.Charge.Outcome {
  const base = { advice_code: null, network_advice_code: null, network_decline_code: null };
  if (decline === null) {
    return {
      ...base,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  return {
    ...base,
    network_status: 'declined_by_network',
    reason: decline.declineCode,
    risk_level: 'normal',
    risk_score: 40,
    seller_message: `The bank returned the decline code \`${decline.declineCode}\`.`,
    type: 'issuer_declined',
  };
}

function cardDetailsOf(
  details: CardDetails,
  amount: number,
  approved: boolean,
): Stripe.Charge.PaymentMethodDetails.Card {
  return {
    amount_authorized: approved ? amount : null,
    authorization_code: approved ? randomAlphanumeric(6).toUpperCase() : null,
    brand: BRANDS[details.brand].code,
    checks: {
      address_line1_check: null,
      address_postal_code_check: null,
      cvc_check: details.cvcCheck,
    },
    country: details.country,
    electronic_commerce_indicator: null,
    exp_month: details.expMonth,
    exp_year: details.expYear,
    fingerprint: details.fingerprint,
    funding: details.funding,
    installments: null,
    last4: details.last4,
    mandate: null,
    network: BRANDS[details.brand].code,
    network_transaction_id: approved ? randomAlphanumeric(15) : null,
    regulated_status: 'unregulated',
    three_d_secure: null,
    transaction_link_id: null,
    wallet: null,
  };
}

/** A Charge, approved or failed, as a confirmation or a legacy `POST /v1/charges` makes it. */
export function buildCharge(input: ChargeInput): Stripe.Charge {
  const approved = input.decline === null;
  const captured = approved && input.captured;
  return {
    id: input.id,
    object: 'charge',
    amount: input.amount,
    amount_captured: captured ? input.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: captured && input.withBalanceTransaction ? newId('txn') : null,
    billing_details: input.billing,
    calculated_statement_descriptor: input.statementDescriptor ?? 'SANDBOX',
    captured,
    created: input.created,
    currency: input.currency,
    customer: input.customer,
    description: input.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: input.decline?.code ?? null,
    failure_message: input.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: input.metadata,
    on_behalf_of: null,
    outcome: outcomeOf(input.decline),
    paid: approved,
    payment_intent: input.paymentIntent,
    payment_method: input.paymentMethod,
    payment_method_details: {
      card: cardDetailsOf(input.details, input.amount, approved),
      type: 'card',
    },
    receipt_email: input.receiptEmail,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/sandbox/${input.id}`,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${input.id}/refunds` },
    review: null,
    shipping: null,
    source: input.source,
    source_transfer: null,
    statement_descriptor: input.statementDescriptor,
    statement_descriptor_suffix: null,
    status: approved ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
}
