/**
 * PaymentIntents: create (optionally confirming at once), retrieve, confirm, cancel, and list
 * (`customer`, `created`, pagination). The status machine lives in confirm.ts.
 */
import type Stripe from 'stripe';
import { checkAmount, checkCurrency } from '../amounts.ts';
import { instrumentId } from '../charging.ts';
import { cancelPaymentIntent, confirmPaymentIntent, resolveInstrument } from '../confirm.ts';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { invalidRequest, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { newId } from '../ids.ts';
import { listPage } from '../list.ts';
import { buildPaymentIntent } from '../objects/payment-intent.ts';
import { COMMON, hash, oneOf, PAGINATION, type Params, required } from '../params.ts';
import { getRecord, insertRecord, saveRecord } from '../records.ts';

/** `payment_method_types` is refused from this API version on (stripe-semantics.md §0.1). */
const PAYMENT_METHOD_TYPES_REMOVED = '2026-08-26';
const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'];
const FUTURE_USAGE = ['off_session', 'on_session'];

function rejectPaymentMethodTypes(ctx: Ctx): void {
  if (!ctx.params.has('payment_method_types')) return;
  if (ctx.apiVersion.slice(0, 10) < PAYMENT_METHOD_TYPES_REMOVED) return;
  throw invalidRequest(
    'The payment_method_types parameter is no longer supported on this API version. Use ' +
      'allowed_payment_method_types instead.',
    'payment_method_types',
    'payment_method_types_no_longer_supported',
  );
}

/** The `allowed_payment_method_types`, or on old API versions the `payment_method_types`. */
function allowedTypes(p: Params): string[] | null {
  const allowed = p.strings('allowed_payment_method_types');
  if (allowed.length > 0) return allowed;
  const legacy = p.strings('payment_method_types');
  return legacy.length > 0 ? legacy : null;
}

function confirmOptions(p: Params) {
  return {
    paymentMethod: p.string('payment_method'),
    offSession: p.offSession('off_session') !== undefined && p.offSession('off_session') !== false,
    returnUrl: p.string('return_url') ?? null,
    errorOnRequiresAction: p.boolean('error_on_requires_action') ?? false,
  };
}

function futureUsage(value: string | undefined): 'off_session' | 'on_session' | null {
  return value === 'off_session' || value === 'on_session' ? value : null;
}

function findPaymentIntent(ctx: Ctx): Stripe.PaymentIntent {
  const id = ctx.path('id');
  const pi = getRecord(ctx.store, 'payment_intent', id);
  if (!pi) throw resourceMissing('payment_intent', id);
  return pi;
}

function create(ctx: Ctx): Reply {
  const p = ctx.params;
  rejectPaymentMethodTypes(ctx);
  const currency = checkCurrency(p.string('currency') ?? '');
  const amount = p.integer('amount') ?? 0;
  checkAmount(amount, currency);
  const confirm = p.boolean('confirm') ?? false;
  if (!confirm) {
    for (const name of ['off_session', 'return_url', 'error_on_requires_action']) {
      if (p.string(name) !== undefined) {
        throw invalidRequest(`You can only pass ${name} when confirm=true.`, name);
      }
    }
  }
  const allowed = allowedTypes(p);
  if (allowed !== null && p.has('automatic_payment_methods')) {
    throw invalidRequest(
      'You may only specify one of these parameters: allowed_payment_method_types, ' +
        'automatic_payment_methods.',
      'automatic_payment_methods',
    );
  }
  const customer = p.string('customer');
  if (customer !== undefined && !getRecord(ctx.store, 'customer', customer)) {
    throw resourceMissing('customer', customer, 'customer');
  }

  const pi = buildPaymentIntent({
    id: newId('pi'),
    created: ctx.now,
    amount,
    currency,
    customer: customer ?? null,
    description: p.string('description') ?? null,
    metadata: p.metadata('metadata') ?? {},
    paymentMethod: null,
    // The default has been automatic_async since 2024-04-10 (stripe-semantics.md §2.1).
    captureMethod: p.string('capture_method') ?? 'automatic_async',
    allowedPaymentMethodTypes: allowed,
    automaticPaymentMethods: allowed === null,
    receiptEmail: p.string('receipt_email') ?? null,
    setupFutureUsage: futureUsage(p.string('setup_future_usage')),
    statementDescriptor: p.string('statement_descriptor') ?? null,
  });
  const pmId = p.string('payment_method');
  if (pmId !== undefined) {
    pi.payment_method = instrumentId(resolveInstrument(ctx, pi, pmId));
    pi.status = 'requires_confirmation';
  }

  const reply = confirm ? confirmPaymentIntent(ctx, pi, confirmOptions(p)) : ok(pi);
  insertRecord(ctx.store, 'payment_intent', pi);
  return reply.status === 200 ? ok(expandReply(ctx, pi)) : reply;
}

function retrieve(ctx: Ctx): Reply {
  return ok(expandReply(ctx, findPaymentIntent(ctx)));
}

function confirm(ctx: Ctx): Reply {
  rejectPaymentMethodTypes(ctx);
  const pi = findPaymentIntent(ctx);
  const p = ctx.params;
  const captureMethod = p.string('capture_method');
  if (captureMethod !== undefined) pi.capture_method = captureMethod;
  const usage = p.string('setup_future_usage');
  if (usage !== undefined) pi.setup_future_usage = futureUsage(usage);
  const receiptEmail = p.string('receipt_email');
  if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
  const reply = confirmPaymentIntent(ctx, pi, confirmOptions(p));
  saveRecord(ctx.store, 'payment_intent', pi);
  return reply.status === 200 ? ok(expandReply(ctx, pi)) : reply;
}

function cancel(ctx: Ctx): Reply {
  const pi = findPaymentIntent(ctx);
  cancelPaymentIntent(ctx, pi, ctx.params.string('cancellation_reason') ?? null);
  saveRecord(ctx.store, 'payment_intent', pi);
  return ok(expandReply(ctx, pi));
}

function list(ctx: Ctx): Reply {
  return ok(
    listPage(ctx, {
      type: 'payment_intent',
      url: '/v1/payment_intents',
      noun: 'payment_intent',
      owner: ctx.params.string('customer'),
    }),
  );
}

const CONFIRM_SHAPE = {
  ...COMMON,
  payment_method: 'string',
  off_session: 'off_session',
  return_url: 'string',
  error_on_requires_action: 'boolean',
  capture_method: oneOf(CAPTURE_METHODS),
  setup_future_usage: oneOf(FUTURE_USAGE),
  receipt_email: 'string',
  use_stripe_sdk: 'boolean',
  // Accepted so that it gets its own error rather than `parameter_unknown`.
  payment_method_types: 'strings',
} as const;

export const paymentIntentRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/payment_intents',
    shape: {
      ...CONFIRM_SHAPE,
      amount: required('integer'),
      currency: required('string'),
      customer: 'string',
      confirm: 'boolean',
      allowed_payment_method_types: 'strings',
      automatic_payment_methods: hash({
        enabled: 'boolean',
        allow_redirects: oneOf(['always', 'never']),
      }),
      confirmation_method: oneOf(['automatic', 'manual']),
      description: 'string',
      metadata: 'metadata',
      statement_descriptor: 'string',
    },
    handler: create,
  },
  {
    method: 'GET',
    pattern: '/v1/payment_intents',
    shape: { ...PAGINATION, customer: 'string' },
    handler: list,
  },
  {
    method: 'GET',
    pattern: '/v1/payment_intents/:id',
    shape: { ...COMMON, client_secret: 'string' },
    handler: retrieve,
  },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id/confirm',
    shape: CONFIRM_SHAPE,
    handler: confirm,
  },
  {
    method: 'POST',
    pattern: '/v1/payment_intents/:id/cancel',
    shape: {
      ...COMMON,
      cancellation_reason: oneOf(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']),
    },
    handler: cancel,
  },
];
