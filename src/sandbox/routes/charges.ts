/**
 * Charges: those made by PaymentIntent confirmations (retrieve, list by customer or
 * PaymentIntent), and legacy `POST /v1/charges` with a `customer` (its default card, or a card of
 * it named by `source`) or a token `source`.
 */
import type Stripe from 'stripe';
import { checkAmount, checkCurrency } from '../amounts.ts';
import { attemptCharge, declineFields, declineReply } from '../charging.ts';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { customerCard } from '../customer-cards.ts';
import { cardError, invalidRequest, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { useToken } from '../instruments.ts';
import { listPage } from '../list.ts';
import { buildCard } from '../objects/card.ts';
import { COMMON, PAGINATION, required } from '../params.ts';
import { getRecord, idOf } from '../records.ts';

/** The card a legacy charge uses. */
function chargedCard(
  ctx: Ctx,
  customerId: string | undefined,
  source: string | undefined,
): Stripe.Card {
  if (customerId === undefined) {
    if (source === undefined) {
      throw invalidRequest('Must provide source or customer.', undefined, 'parameter_missing');
    }
    const token = useToken(ctx, source, 'source');
    return buildCard(token.details, token.cardId, null);
  }
  const customer = getRecord(ctx.store, 'customer', customerId);
  if (!customer) throw resourceMissing('customer', customerId, 'customer');
  const cardId = source ?? idOf(customer.default_source);
  if (cardId === null) {
    throw cardError({
      code: 'missing',
      message: 'Cannot charge a customer that has no active card',
      param: 'card',
    });
  }
  const card = customerCard(ctx, customerId, cardId);
  if (!card) {
    throw invalidRequest(
      `Customer ${customerId} does not have a linked source with ID ${cardId}.`,
      'source',
      'missing',
    );
  }
  return card;
}

function create(ctx: Ctx): Reply {
  const p = ctx.params;
  const currency = checkCurrency(p.string('currency') ?? '');
  const amount = p.integer('amount') ?? 0;
  checkAmount(amount, currency);
  const customer = p.string('customer');
  const card = chargedCard(ctx, customer, p.string('source'));

  const result = attemptCharge(ctx, {
    amount,
    currency,
    customer: customer ?? null,
    description: p.string('description') ?? null,
    metadata: p.metadata('metadata') ?? {},
    paymentIntent: null,
    instrument: { kind: 'card', card },
    // The Charges API cannot authenticate: a card that wants 3-D Secure is declined.
    offSession: true,
    capture: p.boolean('capture') ?? true,
    withBalanceTransaction: true,
    receiptEmail: p.string('receipt_email') ?? null,
    statementDescriptor: p.string('statement_descriptor') ?? null,
  });
  if (result.kind === 'declined')
    return declineReply(declineFields(result.decline, result.charge.id));
  if (result.kind === 'authenticate') throw new Error('an off-session attempt never authenticates');
  return ok(expandReply(ctx, result.charge));
}

function retrieve(ctx: Ctx): Reply {
  const id = ctx.path('id');
  const charge = getRecord(ctx.store, 'charge', id);
  if (!charge) throw resourceMissing('charge', id);
  return ok(expandReply(ctx, charge));
}

function list(ctx: Ctx): Reply {
  return ok(
    listPage(ctx, {
      type: 'charge',
      url: '/v1/charges',
      noun: 'charge',
      owner: ctx.params.string('customer'),
      tag: ctx.params.string('payment_intent'),
    }),
  );
}

export const chargeRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/charges',
    shape: {
      ...COMMON,
      amount: required('integer'),
      currency: required('string'),
      customer: 'string',
      source: 'string',
      description: 'string',
      metadata: 'metadata',
      capture: 'boolean',
      receipt_email: 'string',
      statement_descriptor: 'string',
    },
    handler: create,
  },
  {
    method: 'GET',
    pattern: '/v1/charges',
    shape: { ...PAGINATION, customer: 'string', payment_intent: 'string' },
    handler: list,
  },
  { method: 'GET', pattern: '/v1/charges/:id', shape: COMMON, handler: retrieve },
];
