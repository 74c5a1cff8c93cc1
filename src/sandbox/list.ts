/**
 * Stripe's list endpoints: newest first with a stable tie-break, `limit` 1..100 (default 10),
 * `starting_after` / `ending_before` exclusive of the cursor, exact `has_more`, and `url`.
 */
import type { Ctx } from './context.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import { expandObject } from './expand.ts';
import type { ObjectType, Position } from './store.ts';

export interface ListSpec {
  type: ObjectType;
  /** The list's `url`, e.g. `/v1/customers/cus_1/sources`. */
  url: string;
  /** The object's name in "No such ..." messages for a bad cursor. */
  noun: string;
  owner?: string | undefined;
  tag?: string | undefined;
}

export interface ApiList {
  object: 'list';
  data: unknown[];
  has_more: boolean;
  url: string;
}

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

function cursor(ctx: Ctx, spec: ListSpec, param: string): Position | undefined {
  const id = ctx.params.string(param);
  if (id === undefined) return undefined;
  const position = ctx.store.position(spec.type, id);
  if (!position) throw resourceMissing(spec.noun, id, param);
  return position;
}

/** Answers one page of the list that `spec` describes, from the request's pagination params. */
export function listPage(ctx: Ctx, spec: ListSpec): ApiList {
  const limit = ctx.params.integer('limit') ?? DEFAULT_LIMIT;
  if (limit < 1) throw invalidRequest('This value must be greater than or equal to 1.', 'limit');
  if (limit > MAX_LIMIT) {
    throw invalidRequest(`This value must be less than or equal to ${MAX_LIMIT}.`, 'limit');
  }
  if (ctx.params.string('starting_after') && ctx.params.string('ending_before')) {
    throw invalidRequest(
      'You may only specify one of these parameters: ending_before, starting_after.',
      'ending_before',
    );
  }
  const expand = ctx.params.strings('expand').map((path) => {
    if (!path.startsWith('data.')) {
      throw invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    }
    return path.slice('data.'.length);
  });

  const { items, hasMore } = ctx.store.list<unknown>({
    type: spec.type,
    owner: spec.owner,
    tag: spec.tag,
    created: ctx.params.range('created'),
    after: cursor(ctx, spec, 'starting_after'),
    before: cursor(ctx, spec, 'ending_before'),
    limit,
  });
  if (expand.length > 0) for (const item of items) expandObject(ctx, item, expand);
  return { object: 'list', data: items, has_more: hasMore, url: spec.url };
}
