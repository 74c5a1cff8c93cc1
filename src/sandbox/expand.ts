/**
 * `expand[]`: replaces ids in a response by the objects they name (`default_source`,
 * `latest_charge`, `invoice_settings.default_payment_method`, `data.customer` in a list...),
 * and adds a customer's `sources` list, which Stripe no longer includes unless asked.
 */
import type { Ctx } from './context.ts';
import { invalidRequest } from './errors.ts';
import { isRecord } from './json.ts';
import type { Store } from './store.ts';

/** Which object types each expandable field may name. */
const EXPANDABLE: Readonly<Record<string, readonly string[]>> = {
  customer: ['customer'],
  default_source: ['card'],
  default_payment_method: ['payment_method'],
  latest_charge: ['charge'],
  payment_intent: ['payment_intent'],
  payment_method: ['payment_method', 'card'],
};

const MAX_DEPTH = 4;

function cannotExpand(path: string) {
  return invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
}

/** A customer's cards as the `sources` sublist: the first page, newest first. */
export function sourcesList(store: Store, customerId: string) {
  const { items, hasMore } = store.list<unknown>({ type: 'card', owner: customerId, limit: 10 });
  return {
    object: 'list',
    data: items,
    has_more: hasMore,
    url: `/v1/customers/${customerId}/sources`,
  };
}

function expandPath(
  store: Store,
  target: Record<string, unknown>,
  segments: string[],
  path: string,
) {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  let value = target[head];
  if (head === 'sources' && target.object === 'customer' && typeof target.id === 'string') {
    value = sourcesList(store, target.id);
    target.sources = value;
  } else if (typeof value === 'string') {
    const types = EXPANDABLE[head];
    if (!types) throw cannotExpand(path);
    const found = store.getAny(value);
    if (found && types.includes(found.type)) {
      value = found.data;
      target[head] = value;
    }
  } else if (value === null) {
    if (!EXPANDABLE[head]) throw cannotExpand(path);
    return;
  } else if (!isRecord(value)) {
    throw cannotExpand(path);
  }
  if (rest.length > 0 && isRecord(value)) expandPath(store, value, rest, path);
}

/** Expands `paths` in `object` in place. */
export function expandObject(ctx: Ctx, object: unknown, paths: readonly string[]): void {
  if (!isRecord(object)) return;
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(
        `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`,
        'expand',
      );
    }
    expandPath(ctx.store, object, segments, path);
  }
}

/** Expands the request's `expand[]` in a single object about to be answered. */
export function expandReply<T>(ctx: Ctx, object: T): T {
  const paths = ctx.params.strings('expand');
  if (paths.length > 0) expandObject(ctx, object, paths);
  return object;
}
