import { Type } from 'typebox';
import Format from 'typebox/format';
import { isValidEmail } from '../payments/email.ts';

/**
 * The public contract of the API, as TypeBox schemas: they validate requests (every invalid field
 * reported at once), type the handlers and filter responses. Field names are fixed by the issue.
 */

/** A format checked by the domain's own email rule (trimmed, at most 254 characters). */
const EMAIL_FORMAT = 'payments-email';
Format.Set(EMAIL_FORMAT, isValidEmail);

/** What a client is told when a field is invalid, by the field's name as the client sent it. */
export const FIELD_RULES: Readonly<Record<string, string>> = {
  email: 'must be a valid email address of at most 254 characters',
  stripeCreditCardToken:
    'must be a Stripe card token (tok_...) or PaymentMethod id (pm_...) of at most 255 characters',
  stripeCustomerID: 'must be a Stripe customer id (cus_...) of at most 255 characters',
  customer_id: 'must be a Stripe customer id (cus_...) of at most 255 characters',
  amount: 'must be an integer number of US cents from 50 to 99999999',
  status: 'must be a PaymentIntent status',
  'Idempotency-Key': 'must be 1 to 255 printable ASCII characters',
};

// Stripe ids are opaque: a prefix, then URL-safe characters, at most 255 in all (Stripe's bound).
const CustomerId = Type.String({
  pattern: '^cus_[A-Za-z0-9_]+$',
  maxLength: 255,
  description: 'A Stripe customer id.',
});

/** Amount limits for USD: at least $0.50, at most eight digits (Stripe's own bounds). */
export const MIN_AMOUNT = 50;
export const MAX_AMOUNT = 99_999_999;

export const PAYMENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x20-\\x7E]+$',
      description: 'Makes the POST safe to retry: the same key and body answer the same.',
    }),
  ),
});

export const RegisterCustomerBody = Type.Object(
  {
    email: Type.String({ format: EMAIL_FORMAT, description: 'Stored trimmed and lower-cased.' }),
    stripeCreditCardToken: Type.String({
      pattern: '^(tok|pm)_[A-Za-z0-9_]+$',
      maxLength: 255,
      description: 'A card token (tok_...) or a PaymentMethod id (pm_...).',
    }),
  },
  { additionalProperties: false },
);

export const CustomerCreatedResponse = Type.Object({
  stripeCustomerID: Type.String(),
});

export const ChargeBody = Type.Object(
  {
    stripeCustomerID: CustomerId,
    amount: Type.Integer({
      minimum: MIN_AMOUNT,
      maximum: MAX_AMOUNT,
      description: 'US cents.',
    }),
  },
  { additionalProperties: false },
);

export const ChargeCreatedResponse = Type.Object({
  paymentIntentID: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
});

export const HistoryParams = Type.Object({ customer_id: CustomerId });

export const HistoryQuery = Type.Object(
  { status: Type.Optional(Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s)))) },
  { additionalProperties: false },
);

/** A GET needs no body; one that names a customer must name the one in the path. */
export const HistoryBody = Type.Object(
  { stripeCustomerID: Type.Optional(CustomerId) },
  { additionalProperties: false },
);

export const HistoryResponse = Type.Object({
  payments: Type.Array(
    Type.Object({
      id: Type.String(),
      amount: Type.Integer(),
      currency: Type.String(),
      status: Type.String(),
      created: Type.String({ format: 'date-time', description: 'ISO 8601, UTC.' }),
    }),
  ),
});
