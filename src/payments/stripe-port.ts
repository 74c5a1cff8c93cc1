/**
 * What the domain needs from Stripe, in the domain's own terms. `src/stripe/gateway.ts` implements
 * it with the official SDK; unit tests use a fake. Every method throws an `AppError` from
 * `errors.ts` on failure, never an SDK error, so the rules can branch on stable codes.
 */

/** A customer as the rules need it. */
export interface StripeCustomer {
  id: string;
  email: string | null;
  /** `invoice_settings.default_payment_method`, else the legacy `default_source`. */
  defaultPaymentMethod: string | null;
}

/** A PaymentIntent as the rules need it. */
export interface StripePaymentIntent {
  id: string;
  customerId: string | null;
  amount: number;
  currency: string;
  status: string;
  created: Date;
  metadata: Record<string, string>;
  clientSecret: string | null;
}

/** Why a card was refused, in Stripe's words (its message is written for end users). */
export interface CardDecline {
  code: string;
  declineCode: string | null;
  message: string | null;
}

export interface CreatePaymentIntentInput {
  customerId: string;
  amount: number;
  currency: string;
  paymentMethodId: string;
  /**
   * Stripe's idempotency key for this charge. It is also written into the PaymentIntent's
   * metadata (`CHARGE_KEY_METADATA`), so the sweeper can find the PaymentIntent of any attempt.
   */
  idempotencyKey: string;
}

/**
 * A confirmed PaymentIntent. A refused card still leaves a PaymentIntent behind (status
 * `requires_payment_method`), so a decline is an outcome here, not an exception.
 */
export interface PaymentIntentOutcome {
  paymentIntent: StripePaymentIntent;
  decline: CardDecline | null;
}

/**
 * The metadata key under which a PaymentIntent carries the charge key of the attempts that made
 * it. Not the attempt id itself: a retried request writes a new attempt but must send Stripe the
 * very same parameters for its idempotency key to replay, so only a value derived from the
 * request can go in. Every attempt stores that key (`PaymentAttempt.stripeIdempotencyKey`).
 */
export const CHARGE_KEY_METADATA = 'payments_api_charge_key';

/**
 * The metadata key under which a customer this service created carries the key root of the
 * registration that made it. A registration that takes over an abandoned reservation of the
 * email looks for such a customer before creating one, so a registration that made its customer
 * and then failed (a crash, a lost answer) never leads to a second customer for the same email.
 * Like the charge key, the value comes from the request only, so a retry sends identical
 * parameters and Stripe replays its idempotency key.
 */
export const REGISTRATION_METADATA = 'payments_api_registration';

/** A customer this service registered, as found again by its email. */
export interface RegisteredCustomer {
  id: string;
  /** The key root of the registration that made it (`REGISTRATION_METADATA`). */
  registration: string | null;
}

export interface StripePort {
  /** Makes a card PaymentMethod from a Tokens API token (`tok_...`); answers its `pm_...` id. */
  createPaymentMethod(token: string, idempotencyKey: string): Promise<string>;
  /**
   * Creates a customer with the payment method attached and set as its default, carrying
   * `registration` (the request's key root) in its metadata under `REGISTRATION_METADATA`.
   */
  createCustomer(input: {
    email: string;
    paymentMethodId: string;
    registration: string;
    idempotencyKey: string;
  }): Promise<{ id: string }>;
  /**
   * The newest live customer with this email that this service created (one carrying
   * `REGISTRATION_METADATA`), or null. Customers made outside the service are ignored.
   */
  findCustomerByEmail(email: string): Promise<RegisteredCustomer | null>;
  /** The customer, or null when it does not exist or was deleted. */
  retrieveCustomer(customerId: string): Promise<StripeCustomer | null>;
  /** Creates and confirms an off-session PaymentIntent in one call. */
  createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentOutcome>;
  /** Every PaymentIntent of the customer created at or after `createdSince` (all when null). */
  listPaymentIntents(customerId: string, createdSince: Date | null): Promise<StripePaymentIntent[]>;
  /** The PaymentIntent whose metadata carries this charge key, searched from `createdSince` on. */
  findPaymentIntentByChargeKey(
    customerId: string,
    chargeKey: string,
    createdSince: Date,
  ): Promise<StripePaymentIntent | null>;
}
