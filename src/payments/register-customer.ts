import type { PaymentsDeps } from './deps.ts';
import { normalizeEmail } from './email.ts';
import { AppError, appError, isRecord } from './errors.ts';
import { type Answer, runIdempotent } from './idempotency.ts';
import { keyRoot, requestHash, stripeKey } from './keys.ts';

export interface RegisterCustomerInput {
  email: string;
  /** A Tokens API token (`tok_...`) or an existing PaymentMethod (`pm_...`). */
  stripeCreditCardToken: string;
  /** The client's Idempotency-Key, if any. */
  idempotencyKey: string | null;
}

export interface CustomerCreated {
  stripeCustomerID: string;
}

/**
 * Registers a customer: reserve the email (one live customer per address, race-safe through the
 * ledger's unique key) -> make a PaymentMethod from the token -> create the Stripe customer with it
 * as the default -> bind the email to the customer.
 *
 * The reservation belongs to the request's key root and lasts one idempotency lease:
 * - it is freed only when Stripe refused the request (a 4xx: a refused card, a bad token), since
 *   then Stripe created no customer; after any other failure Stripe may have created one, so the
 *   reservation stays. A retry with the same key takes it back and Stripe replays its keys; any
 *   other request gets 409 until the lease runs out.
 * - a request that takes over an abandoned reservation first looks in Stripe for a customer an
 *   earlier registration made for this email (`REGISTRATION_METADATA`) and records it instead of
 *   creating a second one: 201 when it was this very request (an earlier attempt of its key),
 *   else 409 naming it.
 */
export async function registerCustomer(
  deps: PaymentsDeps,
  input: RegisterCustomerInput,
): Promise<Answer<CustomerCreated>> {
  const email = normalizeEmail(input.email);
  const token = input.stripeCreditCardToken;
  const hash = requestHash({ email, stripeCreditCardToken: token });
  const request = {
    scope: 'customer' as const,
    key: input.idempotencyKey,
    requestHash: hash,
    parseStored: parseCustomerCreated,
  };

  return runIdempotent(deps, request, async () => {
    const { ledger, clock, settings } = deps;
    const root = keyRoot('customer', input.idempotencyKey, hash);

    const reservation = await ledger.reserveEmail(email, clock.now(), {
      owner: root,
      leaseMs: settings.leaseMs,
    });
    if (reservation.outcome === 'taken') {
      throw customerExists(reservation.stripeCustomerId);
    }

    if (reservation.takenOver) {
      // Failures here leave the reservation in place: the earlier customer may still be found.
      const recovered = await recoverCustomer(deps, email, root);
      if (recovered !== null) return { status: 201, body: { stripeCustomerID: recovered } };
    }

    try {
      const id = await createCustomer(deps, email, token, root);
      await ledger.confirmCustomer(email, id, clock.now());

      return { status: 201, body: { stripeCustomerID: id } };
    } catch (error) {
      if (stripeRefused(error)) await freeEmail(deps, email);
      throw error;
    }
  });
}

async function createCustomer(
  deps: PaymentsDeps,
  email: string,
  token: string,
  root: string,
): Promise<string> {
  const { stripe } = deps;
  const paymentMethodId = token.startsWith('pm_')
    ? token
    : await stripe.createPaymentMethod(token, stripeKey(root, 'create_payment_method'));
  const customer = await stripe.createCustomer({
    email,
    paymentMethodId,
    registration: root,
    idempotencyKey: stripeKey(root, 'create_customer'),
  });
  return customer.id;
}

/**
 * Records the customer an earlier registration of this email created before it failed, if any.
 * Answers its id when that registration was this request (an earlier attempt with the same
 * key), throws 409 naming it when it was another one, and answers null when there is none.
 */
async function recoverCustomer(
  deps: PaymentsDeps,
  email: string,
  root: string,
): Promise<string | null> {
  const found = await deps.stripe.findCustomerByEmail(email);
  if (found === null) return null;

  await deps.ledger.confirmCustomer(email, found.id, deps.clock.now());
  deps.logger.info(
    { stripeCustomerId: found.id, sameRequest: found.registration === root },
    'customer of an abandoned registration recorded',
  );
  if (found.registration !== root) throw customerExists(found.id);
  return found.id;
}

/** Stripe answered with a refusal (4xx), so it created no customer for this request. */
function stripeRefused(error: unknown): boolean {
  return error instanceof AppError && error.status < 500;
}

function customerExists(stripeCustomerId: string | null): AppError {
  const fields = stripeCustomerId === null ? {} : { stripeCustomerID: stripeCustomerId };
  return appError('customer_exists', { fields });
}

async function freeEmail(deps: PaymentsDeps, email: string): Promise<void> {
  try {
    await deps.ledger.releaseEmail(email);
  } catch (error) {
    // The refusal being answered matters more; the reservation's lease frees the email in time.
    deps.logger.error({ err: error }, 'email reservation not released');
  }
}

function parseCustomerCreated(body: unknown): CustomerCreated | null {
  if (!isRecord(body) || typeof body.stripeCustomerID !== 'string') return null;
  return { stripeCustomerID: body.stripeCustomerID };
}
