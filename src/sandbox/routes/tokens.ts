/** `POST /v1/tokens` (card tokens from number, expiry and CVC) and `GET /v1/tokens/:id`. */
import { detailsOfInput, detailsOfTestCard } from '../card-details.ts';
import { cardForToken } from '../cards.ts';
import { type Ctx, ok, type Reply, type Route } from '../context.ts';
import { invalidRequest, resourceMissing } from '../errors.ts';
import { expandReply } from '../expand.ts';
import { newId } from '../ids.ts';
import { buildToken } from '../objects/token.ts';
import { COMMON, hash, required } from '../params.ts';
import { getRecord, insertRecord } from '../records.ts';

const ADDRESS_FIELDS = [
  'address_city',
  'address_country',
  'address_line1',
  'address_line2',
  'address_state',
  'address_zip',
] as const;

const CARD = hash({
  number: required('string'),
  exp_month: required('string'),
  exp_year: required('string'),
  cvc: 'string',
  name: 'string',
  currency: 'string',
  ...Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, 'string' as const])),
});

function create(ctx: Ctx): Reply {
  const card = ctx.params.hash('card');
  if (!card) {
    throw invalidRequest(
      'You must supply either a card, customer, PII data, bank account, or account legal entity ' +
        'to create a token.',
    );
  }
  const details = detailsOfInput(
    {
      number: card.string('number') ?? '',
      expMonth: card.string('exp_month') ?? '',
      expYear: card.string('exp_year') ?? '',
      cvc: card.string('cvc'),
      name: card.string('name'),
    },
    { number: 'number', expMonth: 'exp_month', expYear: 'exp_year', cvc: 'cvc' },
    ctx.now,
  );
  const token = buildToken(details, newId('tok'), newId('card'), ctx.now);
  if (token.card) {
    for (const field of ADDRESS_FIELDS) token.card[field] = card.string(field) ?? null;
  }
  insertRecord(ctx.store, 'token', token);
  return ok(expandReply(ctx, token));
}

function retrieve(ctx: Ctx): Reply {
  const id = ctx.path('id');
  const testCard = cardForToken(id);
  if (testCard) {
    // Magic tokens are not stored: each read describes the card a use of it would make.
    return ok(buildToken(detailsOfTestCard(testCard, ctx.now), id, newId('card'), ctx.now));
  }
  const token = getRecord(ctx.store, 'token', id);
  if (!token) throw resourceMissing('token', id);
  return ok(expandReply(ctx, token));
}

export const tokenRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/tokens',
    shape: { ...COMMON, card: CARD },
    handler: create,
    publishable: true,
  },
  { method: 'GET', pattern: '/v1/tokens/:id', shape: COMMON, handler: retrieve },
];
