/**
 * Customers: create (with a legacy `source` token and/or a `payment_method` made the invoice
 * default), retrieve (a deleted one answers `{id, object, deleted: true}`), update (including
 * `default_source` and a replacing `source`), delete, and list (`email` filter).
 */
import type Stripe from 'stripe';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { addCard, customerCard, removeCard, saveCustomer } from '../customer-cards.ts';
import { invalidRequest, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { newId } from '../ids.ts';
import { attachPaymentMethod, findPaymentMethod, useToken } from '../instruments.ts';
import { listPage } from '../list.ts';
import { buildCustomer, deletedCustomer } from '../objects/customer.ts';
import { COMMON, hash, mergeMetadata, PAGINATION } from '../params.ts';
import { getRecord, idOf, insertRecord, saveRecord } from '../records.ts';
import { ADDRESS, addressOf } from './shapes.ts';

const EMAIL_MAX = 512;
const DEFAULT_PM_PARAM = 'invoice_settings[default_payment_method]';

function checkEmail(email: string | null | undefined): void {
  if (email === null || email === undefined) return;
  if (email.length > EMAIL_MAX) {
    throw invalidRequest(`Invalid email address: must be at most ${EMAIL_MAX} characters`, 'email');
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw invalidRequest(`Invalid email address: ${email}`, 'email', 'email_invalid');
  }
}

function liveCustomer(ctx: Ctx, id: string): Stripe.Customer {
  const customer = getRecord(ctx.store, 'customer', id);
  if (!customer) throw resourceMissing('customer', id);
  return customer;
}

/** The PaymentMethod named as invoice default, which must be attached to this customer. */
function defaultPaymentMethod(ctx: Ctx, customerId: string, id: string): string {
  const pm = findPaymentMethod(ctx, id, DEFAULT_PM_PARAM);
  if (idOf(pm.customer) !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${id}. The payment method must ` +
        'be attached to the customer.',
      DEFAULT_PM_PARAM,
      'resource_missing',
    );
  }
  return pm.id;
}

function create(ctx: Ctx): Reply {
  const p = ctx.params;
  const email = p.string('email');
  checkEmail(email);
  const wanted = p.string('id');
  if (wanted !== undefined && ctx.store.getAny(wanted)) {
    throw invalidRequest('Customer already exists.', 'id', 'resource_already_exists');
  }
  const id = wanted ?? newId('cus', 14);

  const customer = buildCustomer({
    id,
    created: ctx.now,
    email: email ?? null,
    name: p.string('name') ?? null,
    description: p.string('description') ?? null,
    phone: p.string('phone') ?? null,
    metadata: p.metadata('metadata') ?? {},
    address: addressOf(p.hash('address')) ?? null,
  });
  // Every check that can refuse the request runs before anything is written; a thrown error
  // rolls the request's writes back anyway, so a declined card creates no customer.
  const source = p.string('source');
  if (source !== undefined) addCard(ctx, customer, useToken(ctx, source, 'source'));
  const pmId = p.string('payment_method');
  if (pmId !== undefined) {
    attachPaymentMethod(ctx, findPaymentMethod(ctx, pmId, 'payment_method'), id);
  }
  const defaultPm = p.hash('invoice_settings')?.string('default_payment_method');
  if (defaultPm !== undefined) {
    customer.invoice_settings.default_payment_method = defaultPaymentMethod(ctx, id, defaultPm);
  }
  customer.invoice_settings.footer = p.hash('invoice_settings')?.string('footer') ?? null;

  insertRecord(ctx.store, 'customer', customer);
  return ok(expandReply(ctx, customer));
}

function retrieve(ctx: Ctx): Reply {
  const id = ctx.path('id');
  const found = ctx.store.getAny(id);
  if (found?.type === 'customer' && found.deleted) return ok(deletedCustomer(id));
  return ok(expandReply(ctx, liveCustomer(ctx, id)));
}

function update(ctx: Ctx): Reply {
  const p = ctx.params;
  const customer = liveCustomer(ctx, ctx.path('id'));

  const email = p.nullable('email');
  checkEmail(email);
  if (email !== undefined) customer.email = email;
  for (const field of ['name', 'description', 'phone'] as const) {
    const value = p.nullable(field);
    if (value !== undefined) customer[field] = value;
  }
  customer.metadata = mergeMetadata(customer.metadata, p.metadata('metadata'));
  if (p.has('address')) customer.address = addressOf(p.hash('address')) ?? null;

  const source = p.string('source');
  if (source !== undefined) {
    // A new source replaces the default one: it is added, made default, and the old one deleted.
    const previous = idOf(customer.default_source);
    customer.default_source = null;
    const card = addCard(ctx, customer, useToken(ctx, source, 'source'));
    if (previous !== null) ctx.store.remove('card', previous);
    customer.default_source = card.id;
  }
  const defaultSource = p.string('default_source');
  if (defaultSource !== undefined) {
    if (!customerCard(ctx, customer.id, defaultSource)) {
      throw invalidRequest(
        `Customer ${customer.id} does not have a linked source with ID ${defaultSource}.`,
        'default_source',
        'resource_missing',
      );
    }
    customer.default_source = defaultSource;
  }
  const settings = p.hash('invoice_settings');
  const defaultPm = settings?.nullable('default_payment_method');
  if (defaultPm === null) customer.invoice_settings.default_payment_method = null;
  else if (defaultPm !== undefined) {
    customer.invoice_settings.default_payment_method = defaultPaymentMethod(
      ctx,
      customer.id,
      defaultPm,
    );
  }
  const footer = settings?.nullable('footer');
  if (footer !== undefined) customer.invoice_settings.footer = footer;

  saveCustomer(ctx, customer);
  return ok(expandReply(ctx, customer));
}

function remove(ctx: Ctx): Reply {
  const customer = liveCustomer(ctx, ctx.path('id'));
  for (const card of ctx.store.owned<Stripe.Card>('card', customer.id)) {
    removeCard(ctx, customer, card.id);
  }
  for (const pm of ctx.store.owned<Stripe.PaymentMethod>('payment_method', customer.id)) {
    pm.customer = null;
    saveRecord(ctx.store, 'payment_method', pm);
  }
  const deleted = deletedCustomer(customer.id);
  ctx.store.save('customer', deleted, {}, true);
  return ok(deleted);
}

function list(ctx: Ctx): Reply {
  return ok(
    listPage(ctx, {
      type: 'customer',
      url: '/v1/customers',
      noun: 'customer',
      tag: ctx.params.string('email'),
    }),
  );
}

const WRITABLE = {
  ...COMMON,
  email: 'string',
  name: 'string',
  description: 'string',
  phone: 'string',
  metadata: 'metadata',
  address: ADDRESS,
  source: 'string',
} as const;

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/customers',
    shape: {
      ...WRITABLE,
      id: 'string',
      payment_method: 'string',
      invoice_settings: hash({ default_payment_method: 'string', footer: 'string' }),
    },
    handler: create,
  },
  {
    method: 'GET',
    pattern: '/v1/customers',
    shape: { ...PAGINATION, email: 'string' },
    handler: list,
  },
  { method: 'GET', pattern: '/v1/customers/:id', shape: COMMON, handler: retrieve },
  {
    method: 'POST',
    pattern: '/v1/customers/:id',
    shape: {
      ...WRITABLE,
      default_source: 'string',
      invoice_settings: hash({ default_payment_method: 'string', footer: 'string' }),
    },
    handler: update,
  },
  { method: 'DELETE', pattern: '/v1/customers/:id', shape: {}, handler: remove },
];
