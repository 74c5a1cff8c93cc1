import type { PaymentsDeps } from './deps.ts';
import type { PaymentRecord } from './ledger.ts';
import type { StripePaymentIntent } from './stripe-port.ts';

/** A PaymentIntent as the ledger keeps it; `customerId` fills in when Stripe's is missing. */
export function toPaymentRecord(pi: StripePaymentIntent, customerId: string): PaymentRecord {
  return {
    id: pi.id,
    customerId: pi.customerId ?? customerId,
    amount: pi.amount,
    currency: pi.currency,
    status: pi.status,
    created: pi.created,
  };
}

/** Records a PaymentIntent in the history and marks the attempt that made it as recorded. */
export async function recordAttempt(
  deps: Pick<PaymentsDeps, 'ledger' | 'clock'>,
  attempt: { id: string; customerId: string },
  pi: StripePaymentIntent,
): Promise<void> {
  await deps.ledger.upsertPayments([toPaymentRecord(pi, attempt.customerId)]);
  await deps.ledger.resolveAttempt(attempt.id, {
    status: 'recorded',
    paymentIntentId: pi.id,
    now: deps.clock.now(),
  });
}
