import type Stripe from 'stripe';
import { callerScopedKey, keyRoot, requestHash, stripeKey } from '../../../src/payments/keys.ts';
import type { Ledger, PaymentRecord } from '../../../src/payments/ledger.ts';
import { CHARGE_KEY_METADATA } from '../../../src/payments/stripe-port.ts';
import { API_KEY_LABEL } from './processes.ts';
import type { PostOutcome } from './retrying-client.ts';

/**
 * The invariants of the reliability scenarios, checked against the sandbox's own records (read
 * with the SDK), never against what the API answered.
 */

/** One payment request of a scenario: its own Idempotency-Key, a customer and an amount. */
export interface ChargeCase {
  key: string;
  customerId: string;
  amount: number;
  /**
   * This client gives up after its first try, whatever the outcome: what it may have paid can
   * reach the ledger only through the sweeper.
   */
  abandons: boolean;
}

export interface ChargeRecord extends ChargeCase {
  outcome: PostOutcome;
}

/**
 * The idempotency key the API sends Stripe for this request, which it also writes into the
 * PaymentIntent's metadata: derived from the caller, the request's key and its body
 * (src/payments/keys.ts). Every scenario calls with the one API key labelled `API_KEY_LABEL`.
 */
export function chargeKeyOf(charge: ChargeCase): string {
  const hash = requestHash({ stripeCustomerID: charge.customerId, amount: charge.amount });
  const key = callerScopedKey(API_KEY_LABEL, charge.key);
  return stripeKey(keyRoot('payment', key, hash), 'create_payment_intent');
}

/** Every finding is a line naming the key or PaymentIntent, so a failure shows examples. */
export interface PaymentAudit {
  paymentIntents: number;
  succeeded: number;
  /** PaymentIntents beyond the first of one request key, whatever their status. */
  duplicates: string[];
  /** Request keys with more than one succeeded PaymentIntent: a customer charged twice. */
  doubleCharges: string[];
  /** PaymentIntents whose charge key belongs to no request of the scenario. */
  strays: string[];
  /** PaymentIntents the ledger does not hold, or holds with another status or amount. */
  unrecorded: string[];
  /** Payments in the ledger that the sandbox does not have. */
  phantoms: string[];
  /** 201 answers that do not name a succeeded PaymentIntent of that request. */
  bad201s: string[];
  /** 402 answers whose paymentIntentID is not a PaymentIntent of that request. */
  bad402s: string[];
  /** Request keys that never got an answer that ends them (abandoning clients aside). */
  unanswered: string[];
}

/** Payments lost: charged but unrecorded, or confirmed to the client but not made. */
export function lostPayments(audit: PaymentAudit): number {
  return audit.unrecorded.length + audit.bad201s.length;
}

export async function auditPayments(
  stripe: Stripe,
  ledger: Ledger,
  customerIds: readonly string[],
  records: readonly ChargeRecord[],
): Promise<PaymentAudit> {
  const all: Stripe.PaymentIntent[] = [];
  await stripe.paymentIntents.list({ limit: 100 }).autoPagingEach((pi) => {
    all.push(pi);
  });
  const byId = new Map(all.map((pi) => [pi.id, pi]));
  const recordByChargeKey = new Map(records.map((r) => [chargeKeyOf(r), r]));
  const audit: PaymentAudit = {
    paymentIntents: all.length,
    succeeded: all.filter((pi) => pi.status === 'succeeded').length,
    duplicates: [],
    doubleCharges: [],
    strays: [],
    unrecorded: [],
    phantoms: [],
    bad201s: [],
    bad402s: [],
    unanswered: [],
  };

  // At most one PaymentIntent, and so at most one charge, per request key.
  const byChargeKey = new Map<string, Stripe.PaymentIntent[]>();
  for (const pi of all) {
    const chargeKey = pi.metadata[CHARGE_KEY_METADATA] ?? '';
    const record = recordByChargeKey.get(chargeKey);
    if (record === undefined) {
      audit.strays.push(`${pi.id} (charge key "${chargeKey}")`);
      continue;
    }
    byChargeKey.set(chargeKey, [...(byChargeKey.get(chargeKey) ?? []), pi]);
  }
  for (const [chargeKey, pis] of byChargeKey) {
    const key = recordByChargeKey.get(chargeKey)?.key ?? chargeKey;
    const ids = pis.map((pi) => `${pi.id}:${pi.status}`).join(', ');
    if (pis.length > 1) audit.duplicates.push(`key ${key}: ${ids}`);
    if (pis.filter((pi) => pi.status === 'succeeded').length > 1) {
      audit.doubleCharges.push(`key ${key}: ${ids}`);
    }
  }

  // The ledger holds every PaymentIntent, as the sandbox has it, and nothing else.
  const ledgerPayments = new Map<string, PaymentRecord>();
  for (const customerId of customerIds) {
    for (const payment of await ledger.listPayments(customerId)) {
      ledgerPayments.set(payment.id, payment);
    }
  }
  for (const pi of all) {
    const held = ledgerPayments.get(pi.id);
    if (held === undefined) {
      audit.unrecorded.push(`${pi.id} (${pi.status}) is not in the ledger`);
    } else if (held.status !== pi.status || held.amount !== pi.amount) {
      audit.unrecorded.push(
        `${pi.id}: sandbox ${pi.status} ${pi.amount}, ledger ${held.status} ${held.amount}`,
      );
    }
  }
  for (const id of ledgerPayments.keys()) {
    if (!byId.has(id)) audit.phantoms.push(id);
  }

  // What the clients were told matches what exists.
  for (const record of records) {
    const chargeKey = chargeKeyOf(record);
    for (const result of record.outcome.tries) {
      if (result.kind !== 'answer' || (result.status !== 201 && result.status !== 402)) continue;
      const pi = result.paymentIntentID === null ? undefined : byId.get(result.paymentIntentID);
      const ours = pi !== undefined && pi.metadata[CHARGE_KEY_METADATA] === chargeKey;
      const matches = ours && pi.amount === record.amount && pi.customer === record.customerId;
      if (result.status === 201 && !(matches && pi.status === 'succeeded')) {
        audit.bad201s.push(
          `key ${record.key}: 201 names ${result.paymentIntentID} (${pi?.status})`,
        );
      }
      if (result.status === 402 && !(matches && pi.status !== 'succeeded')) {
        audit.bad402s.push(
          `key ${record.key}: 402 names ${result.paymentIntentID} (${pi?.status})`,
        );
      }
    }
    if (record.outcome.final === null && !record.abandons) audit.unanswered.push(record.key);
  }
  return audit;
}
