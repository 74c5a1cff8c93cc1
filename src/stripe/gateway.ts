import Stripe from 'stripe';
import type { Logger } from '../payments/deps.ts';
import {
  CHARGE_KEY_METADATA,
  type CreatePaymentIntentInput,
  type PaymentIntentOutcome,
  REGISTRATION_METADATA,
  type RegisteredCustomer,
  type StripeCustomer,
  type StripePaymentIntent,
  type StripePort,
} from '../payments/stripe-port.ts';
import {
  type CallResult,
  NO_STRIPE_METRICS,
  recordCall,
  type StripeCallMetrics,
} from './call-record.ts';
import { rawMessage, type StripeCall, translateStripeError } from './errors.ts';
import { toCustomer, toPaymentIntent } from './mappers.ts';

/** Stripe's page size limit; fewer pages means fewer calls against the rate limit. */
const PAGE_SIZE = 100;
/** A readiness probe waits this long for Stripe, far less than a payment may. */
const PING_TIMEOUT_MS = 5_000;

/**
 * The domain's Stripe port over the official SDK. Each call is logged once with its name,
 * duration, outcome and Stripe's request id; each failure leaves here as an `AppError`.
 */
export class StripeGateway implements StripePort {
  readonly #stripe: Stripe;
  readonly #logger: Logger;
  readonly #metrics: StripeCallMetrics;

  constructor(stripe: Stripe, logger: Logger, metrics: StripeCallMetrics = NO_STRIPE_METRICS) {
    this.#stripe = stripe;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /**
   * Resolves when Stripe answers a cheap authenticated read (one customer): reachable, and our
   * key accepted. For readiness checks, so it fails fast: one attempt with a short timeout.
   */
  async ping(): Promise<void> {
    await this.#run(
      'customers.list',
      () =>
        this.#stripe.customers.list(
          { limit: 1 },
          { timeout: PING_TIMEOUT_MS, maxNetworkRetries: 0 },
        ),
      true,
    );
  }

  async createPaymentMethod(token: string, idempotencyKey: string): Promise<string> {
    const pm = await this.#run('payment_methods.create', () =>
      this.#stripe.paymentMethods.create({ type: 'card', card: { token } }, { idempotencyKey }),
    );
    return pm.id;
  }

  async createCustomer(input: {
    email: string;
    paymentMethodId: string;
    registration: string;
    idempotencyKey: string;
  }): Promise<{ id: string }> {
    const customer = await this.#run('customers.create', () =>
      this.#stripe.customers.create(
        {
          email: input.email,
          payment_method: input.paymentMethodId,
          invoice_settings: { default_payment_method: input.paymentMethodId },
          metadata: { [REGISTRATION_METADATA]: input.registration },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: customer.id };
  }

  async findCustomerByEmail(email: string): Promise<RegisteredCustomer | null> {
    // One page: an email with more than 100 customers is not one this service registered.
    const page = await this.#run('customers.list', () =>
      this.#stripe.customers.list({ email, limit: PAGE_SIZE }),
    );
    let newest: Stripe.Customer | null = null;
    for (const customer of page.data) {
      const registration = customer.metadata[REGISTRATION_METADATA];
      if (registration === undefined || registration === '') continue;
      if (newest === null || customer.created > newest.created) newest = customer;
    }
    if (newest === null) return null;
    return { id: newest.id, registration: newest.metadata[REGISTRATION_METADATA] ?? null };
  }

  async retrieveCustomer(customerId: string): Promise<StripeCustomer | null> {
    try {
      const customer = await this.#call('customers.retrieve', () =>
        this.#stripe.customers.retrieve(customerId),
      );
      return toCustomer(customer);
    } catch (error) {
      if (isMissing(error)) return null;
      throw translateStripeError(error, 'customers.retrieve');
    }
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentOutcome> {
    try {
      const pi = await this.#call('payment_intents.create', () =>
        this.#stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency,
            customer: input.customerId,
            // PaymentIntents do not use the customer's default on their own: name it.
            payment_method: input.paymentMethodId,
            confirm: true,
            off_session: true,
            // Sent explicitly: the default became automatic_async in 2024-04-10.
            capture_method: 'automatic',
            // This API version refuses `payment_method_types`.
            allowed_payment_method_types: ['card'],
            metadata: { [CHARGE_KEY_METADATA]: input.idempotencyKey },
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { paymentIntent: toPaymentIntent(pi), decline: null };
    } catch (error) {
      // A refused card still created a PaymentIntent; the domain records it.
      if (error instanceof Stripe.errors.StripeCardError && error.payment_intent) {
        const decline = {
          code: error.code ?? 'card_declined',
          declineCode: error.decline_code || null,
          message: rawMessage(error),
        };
        return { paymentIntent: toPaymentIntent(error.payment_intent), decline };
      }
      throw translateStripeError(error, 'payment_intents.create');
    }
  }

  async listPaymentIntents(
    customerId: string,
    createdSince: Date | null,
  ): Promise<StripePaymentIntent[]> {
    const found: StripePaymentIntent[] = [];
    const created = createdSince === null ? {} : { created: { gte: toUnix(createdSince) } };
    let startingAfter: string | undefined;

    // Paged by hand rather than with auto-pagination, so every page is one logged call and no
    // 10,000-item cap applies.
    for (;;) {
      const cursor = startingAfter === undefined ? {} : { starting_after: startingAfter };
      const page = await this.#run('payment_intents.list', () =>
        this.#stripe.paymentIntents.list({
          customer: customerId,
          limit: PAGE_SIZE,
          ...created,
          ...cursor,
        }),
      );
      found.push(...page.data.map(toPaymentIntent));
      startingAfter = page.data.at(-1)?.id;
      if (!page.has_more || startingAfter === undefined) return found;
    }
  }

  async findPaymentIntentByChargeKey(
    customerId: string,
    chargeKey: string,
    createdSince: Date,
  ): Promise<StripePaymentIntent | null> {
    const candidates = await this.listPaymentIntents(customerId, createdSince);
    return candidates.find((pi) => pi.metadata[CHARGE_KEY_METADATA] === chargeKey) ?? null;
  }

  /** A logged call whose failures are translated. */
  async #run<T>(
    name: StripeCall,
    request: () => Promise<Stripe.Response<T>>,
    quiet = false,
  ): Promise<T> {
    try {
      return await this.#call(name, request, quiet);
    } catch (error) {
      throw translateStripeError(error, name);
    }
  }

  /** A logged call; failures are rethrown as the SDK raised them. */
  async #call<T>(
    name: StripeCall,
    request: () => Promise<Stripe.Response<T>>,
    quiet = false,
  ): Promise<T> {
    const startedAt = performance.now();
    const record = (result: CallResult) =>
      recordCall(this.#logger, this.#metrics, { operation: name, startedAt, result, quiet });
    try {
      const response = await request();
      record({ ok: true, requestId: response.lastResponse.requestId });
      return response;
    } catch (error) {
      record({ ok: false, error });
      throw error;
    }
  }
}

/** Stripe's 404 for an id it does not know. */
function isMissing(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError &&
    error.statusCode === 404 &&
    error.code === 'resource_missing'
  );
}

function toUnix(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
