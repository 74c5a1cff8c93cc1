import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../../config.ts';
import { appError } from '../../payments/errors.ts';

/**
 * Limits each client to `max` requests per `windowMs`: a client is its API key's label, or its
 * address for a request without a valid key (open access, or a wrong key: so guessing keys is
 * limited too). Over the limit: 429 `rate_limited` with `Retry-After`.
 *
 * - Counters live in this process's memory: behind N instances a client may send N times the
 *   limit. Good enough to stop a runaway client; a shared store (Redis) would make it exact.
 * - Each HTTP request is counted once (the plugin marks a request it has counted). A retry is a
 *   new request and counts; a 429 happens before the domain, so it never touches an idempotency
 *   key, and the retry after `Retry-After` gets the stored answer as usual.
 * - Must be registered before the routes it limits (it hooks each route as it is added). Routes
 *   with `config: { rateLimit: false }` are exempt: the health probes.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitConfig): void {
  app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: clientOf,
    errorResponseBuilder: (_request, context) =>
      appError('rate_limited', {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        logContext: { limit: context.max, windowMs: options.windowMs },
      }),
  });
}

function clientOf(request: FastifyRequest): string {
  return request.apiClient === null ? `address:${request.ip}` : `key:${request.apiClient}`;
}
