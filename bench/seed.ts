/**
 * Seeding through the SDK straight into the sandbox, before anything is measured: customers with a
 * default card, and many PaymentIntents made concurrently (10,000 in seconds, not minutes).
 */
import type Stripe from 'stripe';

/** Enough to keep the sandbox busy without queueing needlessly in the SDK's agent. */
const SEED_CONCURRENCY = 32;

export interface CardCustomer {
  id: string;
  paymentMethodId: string;
}

/** A customer whose default payment method is a Visa test card, made as the API makes one. */
export async function createCardCustomer(stripe: Stripe, email: string): Promise<CardCustomer> {
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  const customer = await stripe.customers.create({
    email,
    payment_method: pm.id,
    invoice_settings: { default_payment_method: pm.id },
  });
  return { id: customer.id, paymentMethodId: pm.id };
}

/** One succeeded PaymentIntent with the parameters the API's charge route sends. */
export async function createPayment(
  stripe: Stripe,
  customer: CardCustomer,
  amount: number,
): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer: customer.id,
    payment_method: customer.paymentMethodId,
    confirm: true,
    off_session: true,
    capture_method: 'automatic',
    allowed_payment_method_types: ['card'],
  });
}

export interface SeedOrder {
  customer: CardCustomer;
  payments: number;
}

export interface SeedOptions {
  /**
   * Make each customer's newest payment alone in its second of `created`, after the rest, as in a
   * history that grew over time. Otherwise all are made in one burst, many in the same second.
   */
  newestApart: boolean;
}

/** Makes every order's payments, SEED_CONCURRENCY at a time; answers how long it took (ms). */
export async function seedPayments(
  stripe: Stripe,
  orders: readonly SeedOrder[],
  options: SeedOptions,
): Promise<number> {
  const started = performance.now();
  const held = options.newestApart ? 1 : 0;
  const tasks = orders.flatMap((order) =>
    Array.from({ length: Math.max(order.payments - held, 0) }, (_, i) => ({ order, i })),
  );

  let next = 0;
  const worker = async () => {
    for (let task = tasks[next++]; task !== undefined; task = tasks[next++]) {
      await createPayment(stripe, task.order.customer, 1_000 + (task.i % 100));
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));

  if (held > 0) {
    // Stripe's `created` counts whole seconds: wait for the next one.
    await sleep(1_050 - (Date.now() % 1_000));
    await Promise.all(
      orders
        .filter((order) => order.payments > 0)
        .map((o) => createPayment(stripe, o.customer, 999)),
    );
  }
  return performance.now() - started;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(ms, 0)));
}
