import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { DOCS_PREFIX } from './openapi.ts';

/**
 * The API answers JSON only, so its pages may load nothing, be framed by nobody, and submit
 * nowhere. The documentation under `/docs` sets its own, wider policy (see openapi.ts).
 */
const API_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/** Headers a browser client may send, and those it may read, on a cross-origin call. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'Payments-Stale',
  'Payments-Synced-At',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/**
 * Security headers on every answer (helmet: CSP, HSTS, nosniff, frame and referrer policies) and
 * CORS. CORS is closed unless `corsOrigins` lists origins: then those origins, and only those, may
 * call the API from a browser (no cookies are involved: the key travels in `Authorization`).
 */
export function registerSecurity(app: FastifyInstance, corsOrigins: readonly string[]): void {
  // Before helmet loads, so it sees the documentation's routes as they are added.
  app.addHook('onRoute', (route) => {
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`)) {
      // The documentation plugin sends its own policy (it must allow its assets and styles).
      route.helmet = { contentSecurityPolicy: false };
    }
  });
  app.register(helmet, { contentSecurityPolicy: API_CSP });

  if (corsOrigins.length === 0) return;
  app.register(cors, {
    origin: [...corsOrigins],
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
