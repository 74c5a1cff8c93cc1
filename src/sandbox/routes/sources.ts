/**
 * Legacy cards on customers, `/v1/customers/:id/sources`: create from a token, retrieve, update,
 * delete and list. The first card becomes `default_source`; deleting the default promotes the
 * most recently added remaining card.
 */
import type Stripe from 'stripe';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { addCard, customerCard, removeCard, saveCustomer } from '../customer-cards.ts';
import { cardError, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { useToken } from '../instruments.ts';
import { listPage } from '../list.ts';
import { COMMON, mergeMetadata, PAGINATION, required } from '../params.ts';
import { getRecord, saveRecord } from '../records.ts';

const ADDRESS_FIELDS = [
  'address_city',
  'address_country',
  'address_line1',
  'address_line2',
  'address_state',
  'address_zip',
] as const;

function liveCustomer(ctx: Ctx): Stripe.Customer {
  const id = ctx.path('id');
  const customer = getRecord(ctx.store, 'customer', id);
  if (!customer) throw resourceMissing('customer', id);
  return customer;
}

function cardOf(ctx: Ctx, customer: Stripe.Customer): Stripe.Card {
  const id = ctx.path('source');
  const card = customerCard(ctx, customer.id, id);
  if (!card) throw resourceMissing('source', id);
  return card;
}

function create(ctx: Ctx): Reply {
  const customer = liveCustomer(ctx);
  const token = useToken(ctx, ctx.params.string('source') ?? '', 'source');
  const card = addCard(ctx, customer, token, ctx.params.metadata('metadata') ?? {});
  saveCustomer(ctx, customer);
  return ok(expandReply(ctx, card));
}

function retrieve(ctx: Ctx): Reply {
  return ok(expandReply(ctx, cardOf(ctx, liveCustomer(ctx))));
}

function update(ctx: Ctx): Reply {
  const card = cardOf(ctx, liveCustomer(ctx));
  const p = ctx.params;
  const month = p.integer('exp_month');
  if (month !== undefined) {
    if (month < 1 || month > 12) {
      throw cardError({
        code: 'invalid_expiry_month',
        message: "Your card's expiration month is invalid.",
        param: 'exp_month',
      });
    }
    card.exp_month = month;
  }
  const year = p.integer('exp_year');
  if (year !== undefined) {
    if (year < new Date(ctx.now * 1000).getUTCFullYear()) {
      throw cardError({
        code: 'invalid_expiry_year',
        message: "Your card's expiration year is invalid.",
        param: 'exp_year',
      });
    }
    card.exp_year = year;
  }
  const name = p.nullable('name');
  if (name !== undefined) card.name = name;
  for (const field of ADDRESS_FIELDS) {
    const value = p.nullable(field);
    if (value !== undefined) card[field] = value;
  }
  card.metadata = mergeMetadata(card.metadata ?? {}, p.metadata('metadata'));
  saveRecord(ctx.store, 'card', card);
  return ok(expandReply(ctx, card));
}

function remove(ctx: Ctx): Reply {
  const customer = liveCustomer(ctx);
  const card = cardOf(ctx, customer);
  removeCard(ctx, customer, card.id);
  saveCustomer(ctx, customer);
  const deleted: Stripe.DeletedCard = { id: card.id, object: 'card', deleted: true };
  return ok(deleted);
}

function list(ctx: Ctx): Reply {
  const customer = liveCustomer(ctx);
  const url = `/v1/customers/${customer.id}/sources`;
  const object = ctx.params.string('object');
  // Cards are the only kind of source the sandbox holds.
  if (object !== undefined && object !== 'card') {
    return ok({ object: 'list', data: [], has_more: false, url });
  }
  return ok(listPage(ctx, { type: 'card', url, noun: 'source', owner: customer.id }));
}

export const sourceRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/customers/:id/sources',
    shape: { ...COMMON, source: required('string'), metadata: 'metadata', validate: 'boolean' },
    handler: create,
  },
  {
    method: 'GET',
    pattern: '/v1/customers/:id/sources',
    shape: { ...PAGINATION, object: 'string' },
    handler: list,
  },
  { method: 'GET', pattern: '/v1/customers/:id/sources/:source', shape: COMMON, handler: retrieve },
  {
    method: 'POST',
    pattern: '/v1/customers/:id/sources/:source',
    shape: {
      ...COMMON,
      exp_month: 'integer',
      exp_year: 'integer',
      name: 'string',
      metadata: 'metadata',
      ...Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, 'string' as const])),
    },
    handler: update,
  },
  {
    method: 'DELETE',
    pattern: '/v1/customers/:id/sources/:source',
    shape: COMMON,
    handler: remove,
  },
];
