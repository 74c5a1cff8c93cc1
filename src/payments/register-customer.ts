import type { PaymentsDeps } from './deps.ts';
import { normalizeEmail } from './email.ts';
import { appError, isRecord } from './errors.ts';
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
 * as the default -> bind the email to the customer. Anything that stops short of the end frees
 * the email again, so a retry (or another request) can register it.
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
    const { ledger, stripe, clock } = deps;
    const root = keyRoot('customer', input.idempotencyKey, hash);

    const reservation = await ledger.reserveEmail(email, clock.now());
    if (reservation.outcome === 'taken') {
      const id = reservation.stripeCustomerId;
      throw appError('customer_exists', { fields: id === null ? {} : { stripeCustomerID: id } });
    }

    try {
      const paymentMethodId = token.startsWith('pm_')
        ? token
        : await stripe.createPaymentMethod(token, stripeKey(root, 'create_payment_method'));
      const customer = await stripe.createCustomer({
        email,
        paymentMethodId,
        idempotencyKey: stripeKey(root, 'create_customer'),
      });
      await ledger.confirmCustomer(email, customer.id, clock.now());

      return { status: 201, body: { stripeCustomerID: customer.id } };
    } catch (error) {
      await freeEmail(deps, email);
      throw error;
    }
  });
}

async function freeEmail(deps: PaymentsDeps, email: string): Promise<void> {
  try {
    await deps.ledger.releaseEmail(email);
  } catch (error) {
    // The failure being handled matters more; a stuck reservation is reported as customer_exists.
    deps.logger.error({ err: error }, 'email reservation not released');
  }
}

function parseCustomerCreated(body: unknown): CustomerCreated | null {
  if (!isRecord(body) || typeof body.stripeCustomerID !== 'string') return null;
  return { stripeCustomerID: body.stripeCustomerID };
}
