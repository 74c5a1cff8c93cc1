import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { AnswerBook } from './answers.ts';
import { postWithRetries, type RetryPolicy } from './retrying-client.ts';

/** Test card numbers of the sandbox: one that pays, one that attaches but is declined. */
export const CARDS = {
  pays: '4242424242424242',
  declines: '4000000000000341',
} as const;

export interface RegisteredCustomer {
  id: string;
  email: string;
  /** The card token registered with it: a secret the logs must not hold. */
  token: string;
  card: keyof typeof CARDS;
}

/** A fresh card token made in the sandbox from a card number, as a front end would. */
export async function cardToken(stripe: Stripe, number: string): Promise<string> {
  const token = await stripe.tokens.create({
    card: { number, exp_month: '12', exp_year: '2034', cvc: '123' },
  });
  return token.id;
}

/** A fresh address per use, so scenarios never collide; mixed case on purpose. */
export function newEmail(label: string): string {
  return `Rel.${label}.${randomUUID().slice(0, 8)}@Example.com`;
}

/**
 * Registers a customer through the API with a new token for `card`.
 *
 * @throws when the API does not answer 201 (faults are off while customers are registered).
 */
export async function registerCustomer(
  target: { baseUrl: string; apiKey: string },
  stripe: Stripe,
  card: keyof typeof CARDS,
  book: AnswerBook,
  policy: RetryPolicy,
): Promise<RegisteredCustomer> {
  const email = newEmail(card);
  const token = await cardToken(stripe, CARDS[card]);
  const outcome = await postWithRetries(
    {
      ...target,
      path: '/api/customer',
      body: { email, stripeCreditCardToken: token },
      key: `reg-${randomUUID()}`,
    },
    policy,
    book,
  );
  const answer = outcome.final;
  const id = answer?.status === 201 ? stringId(answer.body) : undefined;
  if (id === undefined) {
    throw new Error(`registration failed: ${answer?.status} ${answer?.text ?? 'no answer'}`);
  }
  return { id, email, token, card };
}

function stringId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('stripeCustomerID' in body)) return undefined;
  return typeof body.stripeCustomerID === 'string' ? body.stripeCustomerID : undefined;
}
