/**
 * PaymentMethods: create (`type=card` from `card[token]` or card details), retrieve (magic
 * `pm_card_*` ids mint a new PaymentMethod), update, attach, detach, and lists by customer.
 */
import type Stripe from 'stripe';
import { type CardDetails, detailsOfInput } from '../card-details.ts';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { invalidRequest, parameterMissing, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { newId } from '../ids.ts';
import { attachPaymentMethod, findPaymentMethod, useToken } from '../instruments.ts';
import { listPage } from '../list.ts';
import {
  type BillingInput,
  buildBillingDetails,
  buildPaymentMethod,
} from '../objects/payment-method.ts';
import {
  COMMON,
  hash,
  mergeMetadata,
  oneOf,
  PAGINATION,
  type Params,
  required,
} from '../params.ts';
import { getRecord, idOf, insertRecord, saveRecord } from '../records.ts';
import { ADDRESS } from './shapes.ts';

const BILLING = hash({ name: 'string', email: 'string', phone: 'string', address: ADDRESS });
const REDISPLAY = oneOf(['always', 'limited', 'unspecified']);

export function billingOf(params: Params | undefined): BillingInput {
  if (!params) return {};
  const address = params.hash('address');
  return {
    name: params.string('name'),
    email: params.string('email'),
    phone: params.string('phone'),
    address: address && {
      city: address.string('city') ?? null,
      country: address.string('country') ?? null,
      line1: address.string('line1') ?? null,
      line2: address.string('line2') ?? null,
      postal_code: address.string('postal_code') ?? null,
      state: address.string('state') ?? null,
    },
  };
}

function cardDetails(ctx: Ctx): CardDetails {
  const card = ctx.params.hash('card');
  if (!card) throw parameterMissing('card');
  const token = card.string('token');
  if (token !== undefined) {
    if (card.has('number')) {
      throw invalidRequest('You cannot pass both card[token] and card[number].', 'card[number]');
    }
    return useToken(ctx, token, 'card[token]').details;
  }
  for (const field of ['number', 'exp_month', 'exp_year']) {
    if (card.string(field) === undefined) throw parameterMissing(card.path(field));
  }
  return detailsOfInput(
    {
      number: card.string('number') ?? '',
      expMonth: card.string('exp_month') ?? '',
      expYear: card.string('exp_year') ?? '',
      cvc: card.string('cvc'),
    },
    {
      number: card.path('number'),
      expMonth: card.path('exp_month'),
      expYear: card.path('exp_year'),
      cvc: card.path('cvc'),
    },
    ctx.now,
  );
}

function create(ctx: Ctx): Reply {
  const pm = buildPaymentMethod(cardDetails(ctx), newId('pm'), ctx.now, {
    billing: billingOf(ctx.params.hash('billing_details')),
    metadata: ctx.params.metadata('metadata') ?? {},
  });
  const redisplay = ctx.params.string('allow_redisplay');
  if (redisplay) pm.allow_redisplay = redisplay;
  insertRecord(ctx.store, 'payment_method', pm);
  return ok(expandReply(ctx, pm));
}

function retrieve(ctx: Ctx): Reply {
  return ok(expandReply(ctx, findPaymentMethod(ctx, ctx.path('id'), 'id')));
}

function update(ctx: Ctx): Reply {
  const pm = findPaymentMethod(ctx, ctx.path('id'), 'id');
  const billing = ctx.params.hash('billing_details');
  if (billing) {
    const current = pm.billing_details;
    const update = billingOf(billing);
    pm.billing_details = buildBillingDetails({
      name: billing.has('name') ? update.name : current.name,
      email: billing.has('email') ? update.email : current.email,
      phone: billing.has('phone') ? update.phone : current.phone,
      address: update.address ?? current.address ?? undefined,
    });
  }
  pm.metadata = mergeMetadata(pm.metadata ?? {}, ctx.params.metadata('metadata'));
  const card = ctx.params.hash('card');
  const expMonth = card?.integer('exp_month');
  const expYear = card?.integer('exp_year');
  if (pm.card && expMonth !== undefined) pm.card.exp_month = expMonth;
  if (pm.card && expYear !== undefined) pm.card.exp_year = expYear;
  const redisplay = ctx.params.string('allow_redisplay');
  if (redisplay) pm.allow_redisplay = redisplay;
  saveRecord(ctx.store, 'payment_method', pm);
  return ok(expandReply(ctx, pm));
}

function liveCustomer(ctx: Ctx, id: string, param: string): Stripe.Customer {
  const customer = getRecord(ctx.store, 'customer', id);
  if (!customer) throw resourceMissing('customer', id, param);
  return customer;
}

function attach(ctx: Ctx): Reply {
  const customerId = ctx.params.string('customer') ?? '';
  liveCustomer(ctx, customerId, 'customer');
  const pm = findPaymentMethod(ctx, ctx.path('id'), 'id');
  return ok(expandReply(ctx, attachPaymentMethod(ctx, pm, customerId)));
}

function detach(ctx: Ctx): Reply {
  const pm = findPaymentMethod(ctx, ctx.path('id'), 'id');
  const customerId = idOf(pm.customer);
  if (customerId === null) {
    throw invalidRequest(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
    );
  }
  // A detached PaymentMethod can no longer be the customer's default.
  const customer = getRecord(ctx.store, 'customer', customerId);
  if (customer && idOf(customer.invoice_settings.default_payment_method) === pm.id) {
    customer.invoice_settings.default_payment_method = null;
    saveRecord(ctx.store, 'customer', customer);
  }
  pm.customer = null;
  saveRecord(ctx.store, 'payment_method', pm);
  return ok(expandReply(ctx, pm));
}

function list(ctx: Ctx): Reply {
  const customer = ctx.params.string('customer');
  if (customer !== undefined) liveCustomer(ctx, customer, 'customer');
  return ok(
    listPage(ctx, {
      type: 'payment_method',
      url: '/v1/payment_methods',
      noun: 'PaymentMethod',
      owner: customer,
      tag: ctx.params.string('type'),
    }),
  );
}

function listForCustomer(ctx: Ctx): Reply {
  const customer = ctx.path('id');
  liveCustomer(ctx, customer, 'id');
  return ok(
    listPage(ctx, {
      type: 'payment_method',
      url: `/v1/customers/${customer}/payment_methods`,
      noun: 'PaymentMethod',
      owner: customer,
      tag: ctx.params.string('type'),
    }),
  );
}

const CREATE_CARD = hash({
  token: 'string',
  number: 'string',
  exp_month: 'string',
  exp_year: 'string',
  cvc: 'string',
});

export const paymentMethodRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/payment_methods',
    shape: {
      ...COMMON,
      type: oneOf(['card'], true),
      card: CREATE_CARD,
      billing_details: BILLING,
      metadata: 'metadata',
      allow_redisplay: REDISPLAY,
    },
    handler: create,
  },
  {
    method: 'GET',
    pattern: '/v1/payment_methods',
    shape: { ...PAGINATION, customer: 'string', type: 'string' },
    handler: list,
  },
  { method: 'GET', pattern: '/v1/payment_methods/:id', shape: COMMON, handler: retrieve },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id',
    shape: {
      ...COMMON,
      billing_details: BILLING,
      metadata: 'metadata',
      allow_redisplay: REDISPLAY,
      card: hash({ exp_month: 'integer', exp_year: 'integer' }),
    },
    handler: update,
  },
  {
    method: 'POST',
    pattern: '/v1/payment_methods/:id/attach',
    shape: { ...COMMON, customer: required('string') },
    handler: attach,
  },
  { method: 'POST', pattern: '/v1/payment_methods/:id/detach', shape: COMMON, handler: detach },
  {
    method: 'GET',
    pattern: '/v1/customers/:id/payment_methods',
    shape: { ...PAGINATION, type: 'string' },
    handler: listForCustomer,
  },
];
