import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { IsSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { buildApp } from '../../src/http/app.ts';
import { DOCS_CSP } from '../../src/http/plugins/openapi.ts';
import { STALE_HEADER, SYNCED_AT_HEADER } from '../../src/http/routes/payments.ts';
import { CATALOGUE, isRecord } from '../../src/payments/errors.ts';
import type { PaymentsService } from '../../src/payments/service.ts';

type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

const CATALOGUE_BY_CODE = new Map<string, { status: number; title: string; detail: string }>(
  Object.entries(CATALOGUE),
);

/** Routes served by the docs themselves, never documented. */
const isDocsRoute = (url: string) =>
  url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');

/** A domain that answers with more than the contract, to see the response schemas filter. */
const chattyBody = { stripeCustomerID: 'cus_Filtered', internalNote: 'must not leave' };
const chattyPayments: PaymentsService = {
  registerCustomer: async () => ({ status: 201, body: chattyBody, replayed: false }),
  charge: async () => assert.fail('not called'),
  history: async () => assert.fail('not called'),
  sweep: async () => assert.fail('not called'),
};

interface ServedRoute {
  method: string;
  url: string;
  tags: readonly string[];
}

/** `/api/payments/:customer_id` -> `/api/payments/{customer_id}` */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function record(value: unknown, what: string): Json {
  assert.ok(isRecord(value), `${what} is missing`);
  return value;
}

/** Each operation of the document, with its path and method. */
function operations(doc: Json): { path: string; method: string; op: Json }[] {
  const found: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries(record(doc.paths, 'paths'))) {
    for (const method of HTTP_METHODS) {
      const op = get(item, method);
      if (isRecord(op)) found.push({ path, method, op });
    }
  }
  return found;
}

describe('GET /openapi.json', () => {
  let app: FastifyInstance;
  let doc: Json;
  const served: ServedRoute[] = [];

  before(async () => {
    app = buildApp({ payments: chattyPayments });
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        served.push({ method, url: route.url, tags: route.schema?.tags ?? [] });
      }
    });
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200, res.body);
    doc = record(res.json(), 'the document');
  });
  after(() => app.close());

  const operation = (method: string, path: string) =>
    record(get(doc, 'paths', path, method), `${method} ${path}`);

  it('is an OpenAPI 3.1 document the OpenAPI schema validator accepts', async () => {
    const result = await new Validator().validate(doc);

    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
  });

  it('documents every method of every /api route the app serves, and nothing else', () => {
    const api = served.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
    assert.ok(api.length >= 3, 'the onRoute hook saw the API routes');
    const expected = api.map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`).sort();

    const documented = operations(doc).map((o) => `${o.method} ${o.path}`);

    assert.deepEqual(documented.sort(), expected);
    assert.ok(documented.includes('post /api/customer'));
    assert.ok(documented.includes('post /api/payments'));
    assert.ok(documented.includes('get /api/payments/{customer_id}'));
  });

  it('hides the docs, internal routes and untagged routes outside /api', () => {
    const paths = Object.keys(record(doc.paths, 'paths'));
    assert.ok(
      served.some((r) => r.url === '/docs'),
      'the docs routes exist',
    );

    for (const route of served) {
      const internal = isDocsRoute(route.url) || route.url.startsWith('/_');
      const untagged = !route.url.startsWith('/api/') && route.tags.length === 0;
      if (!internal && !untagged) continue;
      assert.ok(!paths.includes(toOpenApiPath(route.url)), `${route.url} is documented`);
    }
  });

  it('gives every operation its error responses as problem documents from the catalogue', () => {
    const expected: Record<string, string[]> = {
      'post /api/customer': [
        'invalid_request',
        'token_already_used',
        'token_invalid',
        'unauthorized',
        'card_declined',
        'customer_exists',
        'idempotency_key_in_use',
        'payload_too_large',
        'unsupported_media_type',
        'idempotency_key_reused',
        'rate_limited',
        'internal_error',
        'stripe_error',
        'stripe_unavailable',
        'stripe_timeout',
      ],
      'post /api/payments': [
        'invalid_request',
        'unauthorized',
        'card_declined',
        'authentication_required',
        'customer_not_found',
        'customer_has_no_payment_method',
        'idempotency_key_in_use',
        'idempotency_key_reused',
        'rate_limited',
        'internal_error',
        'stripe_error',
        'stripe_unavailable',
        'stripe_timeout',
      ],
      'get /api/payments/{customer_id}': [
        'invalid_request',
        'unauthorized',
        'customer_not_found',
        'rate_limited',
        'internal_error',
        'stripe_unavailable',
      ],
    };

    for (const { path, method, op } of operations(doc)) {
      const codes = new Set<string>();
      for (const [status, response] of Object.entries(record(op.responses, 'responses'))) {
        if (Number(status) < 400) continue;
        const media = record(get(response, 'content', 'application/problem+json'), status);
        assert.deepEqual(media.schema, { $ref: '#/components/schemas/Problem' });
        for (const [code, example] of Object.entries(record(media.examples, 'examples'))) {
          const value = record(get(example, 'value'), `${path} ${status} ${code}`);
          assert.equal(value.code, code);
          assert.equal(value.status, Number(status));
          assert.equal(value.type, `urn:payments-api:error:${code}`);
          const entry = CATALOGUE_BY_CODE.get(code);
          if (entry !== undefined) {
            assert.equal(value.title, entry.title);
            assert.equal(value.detail, entry.detail);
            assert.equal(entry.status, Number(status));
          } else {
            assert.equal(status, '402', `${code} is a card error`);
          }
          codes.add(code);
        }
        assert.ok(get(response, 'headers', 'X-Request-Id'), `${path} ${status} X-Request-Id`);
      }
      const wanted = expected[`${method} ${path}`] ?? assert.fail(`${method} ${path} unexpected`);
      for (const code of wanted) assert.ok(codes.has(code), `${method} ${path} lacks ${code}`);
    }
    assert.ok(get(doc, 'components', 'schemas', 'Problem', 'properties', 'requestId'));
  });

  it('carries the contract examples: a registration, a charge, a history, a 402 and a 400', () => {
    const register = operation('post', '/api/customer');
    const charge = operation('post', '/api/payments');
    const history = operation('get', '/api/payments/{customer_id}');

    const body = get(register, 'requestBody', 'content', 'application/json', 'example');
    assert.equal(get(body, 'stripeCreditCardToken'), 'tok_visa');
    const chargeBody = get(charge, 'requestBody', 'content', 'application/json', 'example');
    assert.equal(typeof get(chargeBody, 'amount'), 'number');

    const created = get(charge, 'responses', '201', 'content', 'application/json', 'examples');
    assert.equal(get(created, 'succeeded', 'value', 'status'), 'succeeded');
    const listed = get(history, 'responses', '200', 'content', 'application/json', 'examples');
    const payments = get(listed, 'payments', 'value', 'payments');
    assert.ok(Array.isArray(payments) && payments.length > 0);

    const declined = get(charge, 'responses', '402', 'content', 'application/problem+json');
    const decline = record(get(declined, 'examples', 'card_declined', 'value'), 'a decline');
    assert.equal(typeof decline.declineCode, 'string');
    assert.match(String(decline.paymentIntentID), /^pi_/);
    const invalid = get(register, 'responses', '400', 'content', 'application/problem+json');
    const errors = get(invalid, 'examples', 'invalid_request', 'value', 'errors');
    assert.ok(Array.isArray(errors) && errors.length > 0);
    assert.deepEqual(Object.keys(record(errors[0], 'a field error')), ['param', 'message']);
  });

  it('validates every example against the schema it illustrates', () => {
    const resolved = new Validator().resolveRefs({ specification: doc });
    let checked = 0;

    for (const { path, method, op } of operations(resolved)) {
      const media: [string, unknown][] = [];
      for (const [type, m] of Object.entries(record(get(op, 'requestBody', 'content') ?? {}, ''))) {
        media.push([`${method} ${path} request ${type}`, m]);
      }
      for (const [status, response] of Object.entries(record(op.responses, 'responses'))) {
        for (const [type, m] of Object.entries(record(get(response, 'content') ?? {}, ''))) {
          media.push([`${method} ${path} ${status} ${type}`, m]);
        }
      }

      for (const [where, m] of media) {
        const schema = get(m, 'schema');
        assert.ok(IsSchema(schema), `${where} has no schema`);
        const validator = Compile(schema);
        const values = Object.entries(record(get(m, 'examples') ?? {}, where)).map(
          ([name, example]) => [name, get(example, 'value')] as const,
        );
        if (get(m, 'example') !== undefined) values.push(['example', get(m, 'example')]);
        assert.ok(values.length > 0, `${where} has no example`);

        for (const [name, value] of values) {
          const errors = validator.Errors(value);
          assert.deepEqual(errors, [], `${where} example ${name}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 40, `only ${checked} examples checked`);
  });

  it('documents the Idempotency-Key, replay and stale headers and the bearer scheme', () => {
    for (const path of ['/api/customer', '/api/payments']) {
      const op = operation('post', path);
      const parameters = Array.isArray(op.parameters) ? op.parameters : [];
      const key = parameters.find((p) => get(p, 'name') === 'Idempotency-Key');
      assert.equal(get(key, 'in'), 'header', path);
      assert.equal(get(key, 'required'), false, path);
      assert.ok(get(op, 'responses', '201', 'headers', 'Idempotent-Replayed'), path);
    }

    const history = operation('get', '/api/payments/{customer_id}');
    const headers = Object.keys(record(get(history, 'responses', '200', 'headers'), 'headers'));
    const lower = headers.map((h) => h.toLowerCase());
    assert.ok(lower.includes(STALE_HEADER), headers.join());
    assert.ok(lower.includes(SYNCED_AT_HEADER), headers.join());
    assert.equal(history.requestBody, undefined, 'no GET body: browsers cannot send one');

    const scheme = get(doc, 'components', 'securitySchemes', 'bearerAuth');
    assert.equal(get(scheme, 'type'), 'http');
    assert.equal(get(scheme, 'scheme'), 'bearer');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
  });

  it('keeps filtering success answers by the documented schema', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/customer',
      payload: { email: 'filter@example.com', stripeCreditCardToken: 'tok_visa' },
    });

    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), { stripeCustomerID: 'cus_Filtered' });
  });
});

const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'";

describe('GET /docs', () => {
  let app: FastifyInstance;
  before(async () => {
    app = buildApp({ payments: chattyPayments });
    // Stands for the security headers plugin, which sets a strict CSP on every answer.
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('content-security-policy', STRICT_CSP);
    });
    await app.ready();
  });
  after(() => app.close());

  it('serves the Swagger UI page and its assets from the app, referencing no other host', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });

    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(refs.length >= 4, page.body);
    for (const ref of refs) {
      assert.ok(!/^[a-z]+:|^\/\//i.test(ref), `${ref} points elsewhere`);
      const url = new URL(ref, 'http://localhost/docs').pathname;
      const asset = await app.inject({ method: 'GET', url });
      assert.equal(asset.statusCode, 200, url);
    }
  });

  it('turns "try it out" on and asks no validator badge from outside', async () => {
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });

    assert.equal(init.statusCode, 200);
    assert.match(init.body, /"tryItOutEnabled":true/);
    assert.match(init.body, /validatorUrl: null/);
  });

  it('answers with the docs CSP in place of the service-wide one', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    const api = await app.inject({ method: 'GET', url: '/api/payments/cus_123' });

    assert.equal(page.headers['content-security-policy'], DOCS_CSP);
    assert.equal(api.headers['content-security-policy'], STRICT_CSP);
    assert.doesNotMatch(DOCS_CSP, /unsafe-eval|https?:/);
    assert.match(DOCS_CSP, /script-src 'self'(;|$)/);
  });
});
