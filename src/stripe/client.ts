import Stripe from 'stripe';

/** Where the SDK sends its requests when not to api.stripe.com (a sandbox, a proxy). */
export interface ApiBase {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

export interface StripeClientOptions {
  secretKey: string;
  /** null: Stripe's own servers. */
  apiBase: ApiBase | null;
  /** Per attempt; the SDK's default of 80 s is longer than any client of ours waits. */
  timeoutMs: number;
  /**
   * The SDK retries connection errors, 409s and 5xx with backoff, always with the same
   * idempotency key, so a retry never acts twice (stripe-semantics.md §5.2).
   */
  maxNetworkRetries: number;
}

/** The API version this service is written and tested against; pinned, never the account's. */
export const STRIPE_API_VERSION = '2026-11-18.endive';

/** Builds the one SDK client of the process. */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const base = options.apiBase;
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    timeout: options.timeoutMs,
    maxNetworkRetries: options.maxNetworkRetries,
    // Telemetry headers describe our traffic to Stripe and write a file under ~/.config: off.
    telemetry: false,
    appInfo: { name: 'payments-api', version: '0.1.0' },
    ...(base === null ? {} : { host: base.host, port: base.port, protocol: base.protocol }),
  });
}
