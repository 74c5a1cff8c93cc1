/**
 * The bench's use of the sandbox from outside: its `/_sandbox` control endpoints (latency, request
 * counts) and an SDK client pointed at it for seeding.
 */
import type Stripe from 'stripe';
import { createStripeClient } from '../src/stripe/client.ts';
import { BENCH_STRIPE_KEY } from './processes.ts';

/** An SDK client for the server at `url`, built as the API builds its own. */
export function stripeAt(url: string): Stripe {
  const { hostname, port } = new URL(url);
  return createStripeClient({
    secretKey: BENCH_STRIPE_KEY,
    apiBase: { protocol: 'http', host: hostname, port: Number(port) },
    timeoutMs: 60_000,
    maxNetworkRetries: 2,
  });
}

/** Sets the latency the sandbox adds to every /v1 request (no jitter). */
export async function setLatency(sandboxUrl: string, fixedMs: number): Promise<void> {
  const response = await fetch(`${sandboxUrl}/_sandbox/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ latency: { fixedMs, jitterMs: 0 } }),
  });
  if (response.status !== 200) {
    throw new Error(`the sandbox refused the latency setting: ${await response.text()}`);
  }
}

/** The /v1 requests the sandbox has received, by `METHOD /route`. */
export async function requestCounts(sandboxUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${sandboxUrl}/_sandbox/stats`);
  const body: unknown = await response.json();
  const counts: Record<string, number> = {};
  if (typeof body !== 'object' || body === null || !('requests' in body)) return counts;
  const { requests } = body;
  if (typeof requests !== 'object' || requests === null || !('byRoute' in requests)) return counts;
  const { byRoute } = requests;
  if (typeof byRoute !== 'object' || byRoute === null) return counts;
  for (const [route, count] of Object.entries(byRoute)) {
    if (typeof count === 'number') counts[route] = count;
  }
  return counts;
}

/** What changed between two `requestCounts`: only the routes called in between. */
export function countsSince(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [route, count] of Object.entries(after)) {
    const added = count - (before[route] ?? 0);
    if (added > 0) delta[route] = added;
  }
  return delta;
}
