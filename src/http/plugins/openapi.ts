import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { polishDocument } from './openapi-polish.ts';

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json';
/** Where the interactive documentation is served; its assets live under `/docs/static/`. */
export const DOCS_PREFIX = '/docs';

/**
 * The Content-Security-Policy of the `/docs` pages, which replaces the service's own there.
 * Everything, the bundled Swagger UI included, comes from this origin; the logo and a few icons
 * are `data:` images. `'unsafe-inline'` for styles only: Swagger UI applies inline styles, and
 * Chromium blocks them without it (test/browser/docs.test.ts fails on any CSP violation). Scripts
 * stay `'self'`: no inline script, no eval. "Try it out" calls this origin only. No
 * `upgrade-insecure-requests`: the service is often reached over plain HTTP on localhost.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/** The name of the security scheme: clients send `Authorization: Bearer <secret>`. */
const BEARER_SCHEME = 'bearerAuth';

/**
 * Registers the OpenAPI document at `/openapi.json` and the interactive documentation at `/docs`,
 * both made from the route schemas as the routes are registered. Call it before registering the
 * routes to document: @fastify/swagger only sees routes added after it.
 *
 * Documented: the routes under `/api/`, and any other route whose schema has `tags`. Hidden: the
 * rest (the documentation itself, metrics, health probes, internal `/_...` routes).
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Payments API',
        // The version of the HTTP contract, not of the package.
        version: '1.0.0',
        description:
          'Register customers with a card, charge them, and list their payments. Every error ' +
          'is an `application/problem+json` document with a stable `code`. The POSTs accept an ' +
          '`Idempotency-Key` header and are then safe to retry.',
      },
      tags: [
        { name: 'customers', description: 'Customers and their cards.' },
        { name: 'payments', description: 'Charges and the payment history.' },
      ],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key from the `API_KEYS` setting, sent as `Authorization: Bearer <secret>`. ' +
              'A service started without API keys (outside production) does not ask for one.',
          },
        },
      },
      security: [{ [BEARER_SCHEME]: [] }],
    },
    transform: hideUndocumented,
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      polishDocument(document.openapiObject);
      return document.openapiObject;
    },
  });

  app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    theme: { title: 'Payments API documentation' },
    // No badge fetched from validator.swagger.io: the page must work offline.
    validatorUrl: false,
    uiConfig: {
      tryItOutEnabled: true,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 0,
      docExpansion: 'list',
    },
  });

  // In a child context so that it is added once the swagger decorator exists.
  app.register(async (docs) => {
    docs.get(OPENAPI_PATH, { schema: { hide: true } }, async () => docs.swagger());
  });
}

const hideUndocumented: SwaggerTransform = ({ schema, url }) => {
  const documented = url.startsWith('/api/') || (schema?.tags?.length ?? 0) > 0;
  return { schema: documented ? schema : { ...schema, hide: true }, url };
};
