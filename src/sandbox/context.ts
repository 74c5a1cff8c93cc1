import type { Params, Shape } from './params.ts';
import type { Store } from './store.ts';

/** What a route handler gets: the store, its checked parameters, and request facts. */
export interface Ctx {
  readonly store: Store;
  readonly params: Params;
  /** A path parameter of the route pattern (`:id`), already URL-decoded. */
  readonly path: (name: string) => string;
  /** The request's time, unix seconds; every object made by the request shares it. */
  readonly now: number;
  /** The `Stripe-Version` the request asked for (the SDK always sends its pinned one). */
  readonly apiVersion: string;
  /**
   * Magic `pm_card_*` ids resolved so far in this request: one request naming `pm_card_visa`
   * twice (as `payment_method` and as `invoice_settings[default_payment_method]`) means one card.
   */
  readonly magic: Map<string, string>;
}

/** A status and a JSON body. Returned (not thrown) replies commit their writes. */
export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (ctx: Ctx) => Reply;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with `:name` segments, e.g. `/v1/customers/:id/sources`. */
  pattern: string;
  /** The parameters accepted; anything else is `parameter_unknown`. */
  shape: Shape;
  handler: Handler;
  /** Publishable keys may call this route (only token creation). */
  publishable?: boolean;
}

export function ok(body: unknown): Reply {
  return { status: 200, body };
}
