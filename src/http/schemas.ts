import { Type } from 'typebox';
import Format from 'typebox/format';
import { isValidEmail } from '../payments/email.ts';
import { CHARGE_EXAMPLE, REGISTER_CUSTOMER_EXAMPLE } from './examples.ts';

/**
 * The public contract of the API, as TypeBox schemas: they validate requests (every invalid field
 * reported at once), type the handlers, filter responses and make the OpenAPI document. Field
 * names are fixed by the issue.
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
      description:
        'Makes the POST safe to retry: the same key with the same body gets the first answer ' +
        'again (for at least 24 hours), and Stripe is never called twice. 1 to 255 printable ' +
        'ASCII characters, e.g. a UUID.',
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
  { additionalProperties: false, examples: [REGISTER_CUSTOMER_EXAMPLE] },
);

export const CustomerCreatedResponse = Type.Object({
  stripeCustomerID: Type.String({ description: 'The new Stripe customer (cus_...).' }),
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
  { additionalProperties: false, examples: [CHARGE_EXAMPLE] },
);

export const ChargeCreatedResponse = Type.Object({
  paymentIntentID: Type.String({ description: 'The confirmed Stripe PaymentIntent (pi_...).' }),
  status: Type.String({ description: "The PaymentIntent's status, usually `succeeded`." }),
  amount: Type.Integer({ description: 'US cents.' }),
  currency: Type.String({ description: 'Always `usd`.' }),
});

export const HistoryParams = Type.Object({ customer_id: CustomerId });

export const HistoryQuery = Type.Object(
  {
    status: Type.Optional(
      // An enum rather than a union of literals: the docs show it as a drop-down.
      Type.Enum(PAYMENT_STATUSES, { description: 'Only the payments in this status.' }),
    ),
  },
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
      id: Type.String({ description: 'The Stripe PaymentIntent (pi_...).' }),
      amount: Type.Integer({ description: 'US cents.' }),
      currency: Type.String(),
      status: Type.String({ description: "The PaymentIntent's status." }),
      created: Type.String({ format: 'date-time', description: 'ISO 8601, UTC.' }),
    }),
    { description: 'Every PaymentIntent the customer ever had, newest first.' },
  ),
});

const FieldErrorSchema = Type.Object({
  param: Type.String({ description: 'The field, as the client named it.' }),
  message: Type.String({ description: 'What a valid value looks like.' }),
});

/**
 * Every error answer (RFC 9457 problem details), as `problem.ts` renders it. Only the documents
 * use it: error answers are serialized by the error handler, not filtered by this schema.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URN naming the code: `urn:payments-api:error:<code>`.' }),
    title: Type.String({ description: 'A short summary of the code.' }),
    status: Type.Integer({ description: 'The HTTP status.' }),
    detail: Type.String({ description: 'What happened and what to do next.' }),
    code: Type.String({ description: 'Stable snake_case code to branch on.' }),
    requestId: Type.String({ description: 'Also in the `X-Request-Id` header and in the logs.' }),
    param: Type.Optional(Type.String({ description: 'The field at fault, when there is one.' })),
    errors: Type.Optional(
      Type.Array(FieldErrorSchema, { description: 'Every invalid field at once (400).' }),
    ),
    declineCode: Type.Optional(Type.String({ description: "The bank's reason (402)." })),
    paymentIntentID: Type.Optional(
      Type.String({ description: 'The failed PaymentIntent: it shows in the history (402).' }),
    ),
    clientSecret: Type.Optional(
      Type.String({
        description:
          'For `authentication_required`: a front end confirms the PaymentIntent with it.',
      }),
    ),
    stripeCustomerID: Type.Optional(
      Type.String({
        description: 'For `customer_exists`: the customer registered with the email.',
      }),
    ),
  },
  { description: 'An RFC 9457 problem document.' },
);
