import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/payments/clock.ts';
import { type AppError, appError, cardError } from '../../src/payments/errors.ts';
import {
  type CardDecline,
  CHARGE_KEY_METADATA,
  type CreatePaymentIntentInput,
  type PaymentIntentOutcome,
  type RegisteredCustomer,
  type StripeCustomer,
  type StripePaymentIntent,
  type StripePort,
} from '../../src/payments/stripe-port.ts';

type Method = keyof StripePort;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface FakeCustomer extends StripeCustomer {
  deleted: boolean;
  /** The registration metadata (`REGISTRATION_METADATA`); null for a customer made elsewhere. */
  registration: string | null;
}

/**
 * A Stripe port in memory, for unit tests of the domain. It keeps Stripe's idempotency (a key
 * replays its first result) and a few of Stripe's test tokens:
 * - `tok_visa`: a good card (reusable, like Stripe's magic tokens);
 * - `tok_once_*`: a minted token, usable once;
 * - `tok_chargeDeclined`: refused when attached to the customer (402 card_declined);
 * - `tok_chargeCustomerFail`: attaches, then every charge is declined;
 * - `tok_threeDSecure2Required`: attaches, then off-session charges need authentication;
 * - any other token: unknown.
 * `failNext` makes the next calls of a method throw, before or after acting.
 */
export class FakeStripe implements StripePort {
  readonly customers = new Map<string, FakeCustomer>();
  readonly paymentMethods = new Map<string, { token: string }>();
  readonly paymentIntents: StripePaymentIntent[] = [];
  /** Every call, in order, with the idempotency key of writes. */
  readonly calls: { method: Method; idempotencyKey?: string }[] = [];

  readonly #clock: Clock;
  readonly #methodReplays = new Map<string, Settled<string>>();
  readonly #customerReplays = new Map<string, Settled<{ id: string }>>();
  readonly #intentReplays = new Map<string, Settled<PaymentIntentOutcome>>();
  readonly #failures = new Map<Method, { error: unknown; after: boolean }[]>();
  readonly #spentTokens = new Set<string>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * The next `times` calls of `method` throw `error`: before acting, or with `after`, once the
   * call has taken effect (a crash or a lost answer).
   */
  failNext(method: Method, error: unknown, options: { times?: number; after?: boolean } = {}) {
    const queue = this.#failures.get(method) ?? [];
    for (let i = 0; i < (options.times ?? 1); i++) queue.push({ error, after: !!options.after });
    this.#failures.set(method, queue);
  }

  /** Adds a customer as if made outside the API (or, with `registration`, by it). */
  addCustomer(
    options: { email?: string; defaultPaymentMethod?: string | null; registration?: string } = {},
  ): string {
    const id = `cus_${randomUUID().replaceAll('-', '').slice(0, 14)}`;
    this.customers.set(id, {
      id,
      email: options.email ?? null,
      defaultPaymentMethod: options.defaultPaymentMethod ?? null,
      deleted: false,
      registration: options.registration ?? null,
    });
    return id;
  }

  /** Adds a PaymentIntent as if made outside the API. */
  addPaymentIntent(pi: Partial<StripePaymentIntent> & { customerId: string }): StripePaymentIntent {
    const full: StripePaymentIntent = {
      id: `pi_${randomUUID().replaceAll('-', '').slice(0, 14)}`,
      amount: 1000,
      currency: 'usd',
      status: 'succeeded',
      created: this.#clock.now(),
      metadata: {},
      clientSecret: null,
      ...pi,
    };
    this.paymentIntents.push(full);
    return full;
  }

  callsOf(method: Method): { method: Method; idempotencyKey?: string }[] {
    return this.calls.filter((call) => call.method === method);
  }

  async createPaymentMethod(token: string, idempotencyKey: string): Promise<string> {
    return this.#write('createPaymentMethod', idempotencyKey, this.#methodReplays, () => {
      if (!isKnownToken(token)) throw appError('token_invalid');
      if (token.startsWith('tok_once_')) {
        if (this.#spentTokens.has(token)) throw appError('token_already_used');
        this.#spentTokens.add(token);
      }
      const id = `pm_${randomUUID().replaceAll('-', '').slice(0, 14)}`;
      this.paymentMethods.set(id, { token });
      return id;
    });
  }

  async createCustomer(input: {
    email: string;
    paymentMethodId: string;
    registration: string;
    idempotencyKey: string;
  }): Promise<{ id: string }> {
    return this.#write('createCustomer', input.idempotencyKey, this.#customerReplays, () => {
      const pm = this.paymentMethods.get(input.paymentMethodId);
      if (pm === undefined) throw appError('token_invalid');
      if (pm.token === 'tok_chargeDeclined') {
        throw cardError('card_declined', {
          detail: 'Your card was declined.',
          fields: { declineCode: 'generic_decline' },
        });
      }
      const id = this.addCustomer({
        email: input.email,
        defaultPaymentMethod: input.paymentMethodId,
        registration: input.registration,
      });
      return { id };
    });
  }

  async findCustomerByEmail(email: string): Promise<RegisteredCustomer | null> {
    return this.#read('findCustomerByEmail', () => {
      // The map keeps insertion order, so the last match is the newest customer.
      const found = [...this.customers.values()]
        .filter((c) => c.email === email && !c.deleted && c.registration !== null)
        .at(-1);
      return found === undefined ? null : { id: found.id, registration: found.registration };
    });
  }

  async retrieveCustomer(customerId: string): Promise<StripeCustomer | null> {
    return this.#read('retrieveCustomer', () => {
      const customer = this.customers.get(customerId);
      if (customer === undefined || customer.deleted) return null;
      const { deleted: _, registration: __, ...live } = customer;
      return live;
    });
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentOutcome> {
    return this.#write('createPaymentIntent', input.idempotencyKey, this.#intentReplays, () => {
      if (!this.customers.has(input.customerId)) throw appError('customer_not_found');
      const decline = this.#declineFor(input.paymentMethodId);
      const pi = this.addPaymentIntent({
        customerId: input.customerId,
        amount: input.amount,
        currency: input.currency,
        status: decline === null ? 'succeeded' : 'requires_payment_method',
        metadata: { [CHARGE_KEY_METADATA]: input.idempotencyKey },
        clientSecret: `${randomUUID()}_secret`,
      });
      return { paymentIntent: { ...pi }, decline };
    });
  }

  async listPaymentIntents(
    customerId: string,
    createdSince: Date | null,
  ): Promise<StripePaymentIntent[]> {
    return this.#read('listPaymentIntents', () =>
      this.paymentIntents
        .filter((pi) => pi.customerId === customerId)
        .filter((pi) => createdSince === null || pi.created >= createdSince)
        .reverse()
        .map((pi) => ({ ...pi })),
    );
  }

  async findPaymentIntentByChargeKey(
    customerId: string,
    chargeKey: string,
    createdSince: Date,
  ): Promise<StripePaymentIntent | null> {
    const found = await this.listPaymentIntents(customerId, createdSince);
    return found.find((pi) => pi.metadata[CHARGE_KEY_METADATA] === chargeKey) ?? null;
  }

  #declineFor(paymentMethodId: string): CardDecline | null {
    const token = this.paymentMethods.get(paymentMethodId)?.token;
    if (token === 'tok_chargeCustomerFail') {
      return { code: 'card_declined', declineCode: 'generic_decline', message: 'Declined.' };
    }
    if (token === 'tok_threeDSecure2Required') {
      return {
        code: 'authentication_required',
        declineCode: 'authentication_required',
        message: 'This transaction requires authentication.',
      };
    }
    return null;
  }

  async #read<T>(method: Method, act: () => T): Promise<T> {
    this.calls.push({ method });
    const failure = this.#takeFailure(method);
    if (failure !== undefined && !failure.after) throw failure.error;
    const value = act();
    if (failure !== undefined) throw failure.error;
    return value;
  }

  /** Like Stripe: the first result of a key (value or error) is replayed to every retry. */
  async #write<T>(
    method: Method,
    idempotencyKey: string,
    replays: Map<string, Settled<T>>,
    act: () => T,
  ): Promise<T> {
    this.calls.push({ method, idempotencyKey });
    const failure = this.#takeFailure(method);
    if (failure !== undefined && !failure.after) throw failure.error;

    let stored = replays.get(idempotencyKey);
    if (stored === undefined) {
      try {
        stored = { ok: true, value: act() };
      } catch (error) {
        stored = { ok: false, error };
      }
      replays.set(idempotencyKey, stored);
    }
    if (failure !== undefined) throw failure.error;
    if (!stored.ok) throw stored.error;
    return stored.value;
  }

  #takeFailure(method: Method): { error: unknown; after: boolean } | undefined {
    return this.#failures.get(method)?.shift();
  }
}

function isKnownToken(token: string): boolean {
  return (
    token.startsWith('tok_once_') ||
    [
      'tok_visa',
      'tok_chargeDeclined',
      'tok_chargeCustomerFail',
      'tok_threeDSecure2Required',
    ].includes(token)
  );
}

/** An outage as the gateway reports it. */
export function stripeDown(): AppError {
  return appError('stripe_unavailable', { retryAfterSeconds: 5 });
}
