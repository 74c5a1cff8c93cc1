import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../config.ts';
import { appError } from '../../payments/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The label of the API key the request carried; null when it carried none that is valid. */
    apiClient: string | null;
  }
}

/** Sent with every 401 (RFC 6750 §3). */
const REALM = 'Bearer realm="payments-api"';

/** Matches the scheme case-insensitively (RFC 9110 §11.1) and takes the rest as the secret. */
const BEARER = /^Bearer +(\S+)$/i;

interface StoredKey {
  label: string;
  digest: Buffer;
}

/** The API keys, kept as SHA-256 digests so that every comparison has the same length. */
export interface Keyring {
  /** The label of the key `secret` is, or null. Takes the same time whichever key matches. */
  identify(secret: string): string | null;
}

export function createKeyring(keys: readonly ApiKey[]): Keyring {
  const stored: StoredKey[] = keys.map((key) => ({ label: key.label, digest: digest(key.secret) }));
  return {
    identify(secret) {
      const presented = digest(secret);
      let found: string | null = null;
      // Every key is compared, without stopping at a match, so the time says nothing of which.
      for (const key of stored) {
        if (timingSafeEqual(presented, key.digest) && found === null) found = key.label;
      }
      return found;
    },
  };
}

/**
 * Paths that need an API key: the API itself, and the metrics (they describe the business).
 * Health probes, the OpenAPI document and the documentation stay open: probes come from load
 * balancers that hold no key, and the contract is no secret (a "try it" call from /docs still
 * needs a key).
 */
export function requiresKey(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/metrics';
}

/**
 * Authenticates every request with `Authorization: Bearer <secret>` against `keys`. With no keys
 * the service is open: every request passes, with `apiClient` null.
 *
 * Two steps, so that the rate limiter (a route `onRequest` hook) sits between them and also counts
 * requests with a wrong key, per client address: `onRequest` identifies the caller and adds its
 * label to the request's log bindings; `preParsing` refuses a request that needs a key and has
 * none, before its body is read.
 */
export function registerAuth(app: FastifyInstance, keys: readonly ApiKey[]): void {
  app.decorateRequest('apiClient', null);
  if (keys.length === 0) return;
  const keyring = createKeyring(keys);

  app.addHook('onRequest', async (request, reply) => {
    const secret = bearerSecret(request);
    const label = secret === null ? null : keyring.identify(secret);
    if (label === null) return;
    request.apiClient = label;
    // Fastify's own lines ("request completed") go through reply.log: both carry the label.
    const log = request.log.child({ apiClient: label });
    request.log = log;
    reply.log = log;
  });

  app.addHook('preParsing', async (request, reply) => {
    if (request.apiClient !== null || !requiresKey(routePath(request))) return;
    const presented = request.headers.authorization !== undefined;
    reply.header('www-authenticate', presented ? `${REALM}, error="invalid_token"` : REALM);
    throw appError('unauthorized', {
      logContext: { credentials: presented ? 'invalid' : 'missing' },
    });
  });
}

function bearerSecret(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  return BEARER.exec(header.trim())?.[1] ?? null;
}

/**
 * The route's pattern when the request matched one (so `/%61pi/customer`, which the router
 * decodes to `/api/customer`, is judged as the route it reaches), else the raw path.
 */
function routePath(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url.split('?', 1)[0] ?? '/';
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
