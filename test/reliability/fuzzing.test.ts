/**
 * Issue 5, "Fuzzing": property-based inputs on every endpoint (random JSON, wrong types, huge
 * and unicode strings, deep nesting, odd headers). Never a 5xx, always a problem document with a
 * code, and nothing reaches the sandbox for an invalid request: its request count stays the same.
 *
 * Seedable: FUZZ_SEED=<n> replays a run (the seed is printed, and named in every failure);
 * FUZZ_RUNS=<n> changes the runs per property.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AnswerBook, problemViolations } from './support/answers.ts';
import { type RegisteredCustomer, registerCustomer } from './support/customers.ts';
import {
  type HistoryCase,
  invalidChargeText,
  invalidHistoryCase,
  invalidRegistrationText,
} from './support/fuzz-bodies.ts';
import {
  controlCharacter,
  extraHeaders,
  invalidAuthorization,
  invalidIdempotencyKey,
  isServedRoute,
  jsonContentType,
  methodAndPath,
  nonJsonContentType,
  receivedHeader,
  requestId,
  SAFE_REQUEST_ID,
  validIdempotencyKey,
} from './support/fuzz-requests.ts';
import { type HttpAnswer, httpRequest, stringField } from './support/http.ts';
import { LogCollector } from './support/logs.ts';
import {
  ApiInstance,
  newApiKey,
  type SandboxProcess,
  STRIPE_KEY,
  startSandboxProcess,
} from './support/processes.ts';
import { rawHttp, rawRequest } from './support/raw-http.ts';
import { DEFAULT_POLICY } from './support/retrying-client.ts';
import { assertNoSecrets, summaryLine } from './support/scenario.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('fuzzing: random and hostile inputs on every endpoint', () => {
  const logs = new LogCollector();
  const book = new AnswerBook();
  const apiKey = newApiKey();
  const started = Date.now();
  let dir: string | undefined;
  let sandbox: SandboxProcess | undefined;
  let api: ApiInstance | undefined;
  let customer: RegisteredCustomer | undefined;
  let runs = 0;

  before(async () => {
    console.log(`fuzzing with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    dir = await mkdtemp(join(tmpdir(), 'reliability-fuzz-'));
    sandbox = await startSandboxProcess();
    api = await ApiInstance.start(
      {
        stripeBase: sandbox.url,
        dataDir: dir,
        apiKey,
        stripeTimeoutMs: 5_000,
        stripeMaxNetworkRetries: 0,
        sweepIntervalMs: 60_000,
        pendingAttemptGraceMs: 900_000,
      },
      logs,
      'api',
    );
    const target = { baseUrl: api.url, apiKey };
    customer = await registerCustomer(target, sandbox.stripe, 'pays', book, DEFAULT_POLICY);
  });

  after(async () => {
    console.log(
      summaryLine('fuzzing', {
        seed: SEED,
        runsPerProperty: RUNS,
        requests: runs,
        answers: book.describe().replaceAll(' ', ','),
        seconds: Math.round((Date.now() - started) / 1000),
      }),
    );
    await api?.stop();
    await sandbox?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Runs a property with the suite's seed; a failure says how to replay it. */
  async function check<T>(arbitrary: fc.Arbitrary<T>, run: (input: T) => Promise<void>) {
    try {
      await fc.assert(fc.asyncProperty(arbitrary, run), { seed: SEED, numRuns: RUNS });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // fast-check keeps the property's own failure as the cause: it says what went wrong.
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      assert.fail(`FUZZ_SEED=${SEED} reproduces this failure:\n${message}\n${cause}`);
    }
  }

  /**
   * Sends one request and checks it was refused: a 4xx problem document, and no request at the
   * sandbox meanwhile.
   */
  async function expectRefused(send: () => Promise<HttpAnswer>, method = 'POST') {
    assert.ok(sandbox !== undefined);
    const before = (await sandbox.stats()).total;
    const answer = await send();
    runs += 1;
    book.record(answer, 'fuzz');
    assert.ok(
      answer.status >= 400 && answer.status < 500,
      `status ${answer.status}: ${answer.text}`,
    );
    // A HEAD answer has no body to check.
    if (method !== 'HEAD') assert.deepEqual(problemViolations(answer), [], answer.text);
    assert.equal((await sandbox.stats()).total, before, 'the request reached the sandbox');
    return answer;
  }

  const baseUrl = () => api?.url ?? assert.fail('the API is not running');
  const auth = () => ({ authorization: `Bearer ${apiKey}` });
  const validCharge = () =>
    JSON.stringify({ stripeCustomerID: customer?.id ?? 'cus_missing', amount: 1_234 });

  function post(path: string, body: string, headers: Record<string, string> = {}) {
    return httpRequest(baseUrl(), {
      method: 'POST',
      path,
      headers: { ...auth(), 'content-type': 'application/json', ...headers },
      body,
    });
  }

  it('POST /api/payments refuses invalid bodies before calling Stripe', async () => {
    await check(invalidChargeText, async (body) => {
      await expectRefused(() => post('/api/payments', body));
    });
  });

  it('POST /api/customer refuses invalid bodies before calling Stripe', async () => {
    await check(invalidRegistrationText, async (body) => {
      await expectRefused(() => post('/api/customer', body));
    });
  });

  it('GET /api/payments/:customer_id refuses invalid ids, queries and bodies', async () => {
    await check(invalidHistoryCase, async (c: HistoryCase) => {
      const headers: Record<string, string> = auth();
      if (c.body !== null) headers['content-type'] = 'application/json';
      await expectRefused(
        () =>
          httpRequest(baseUrl(), {
            method: 'GET',
            path: `/api/payments/${encodeURIComponent(c.customerId)}${c.query}`,
            headers,
            ...(c.body === null ? {} : { body: c.body }),
          }),
        'GET',
      );
    });
  });

  it('answers unknown routes and wrong methods with 404 or 405 problems', async () => {
    const unserved = methodAndPath.filter(({ method, path }) => !isServedRoute(method, path));
    await check(unserved, async ({ method, path }) => {
      await expectRefused(() => httpRequest(baseUrl(), { method, path, headers: auth() }), method);
    });
  });

  it('refuses a valid body sent with a non-JSON type or an invalid Idempotency-Key', async () => {
    const odd = fc
      .record({
        type: fc.oneof(jsonContentType, nonJsonContentType),
        key: fc.option(fc.oneof(validIdempotencyKey, invalidIdempotencyKey)),
        extra: extraHeaders,
        requestId,
      })
      // At least one thing wrong; any number of them may be.
      .filter(({ type, key }) => !(isJson(type) && (key === null || isValidKey(key))));
    await check(odd, async ({ type, key, extra, requestId: id }) => {
      await expectRefused(() =>
        post('/api/payments', validCharge(), {
          ...extra,
          'content-type': type,
          'x-request-id': id,
          ...(key === null ? {} : { 'idempotency-key': key }),
        }),
      );
    });
  });

  it('keeps a safe inbound request id and replaces any other in header and body', async () => {
    await check(requestId, async (id) => {
      const answer = await expectRefused(() => post('/api/payments', '{}', { 'x-request-id': id }));
      const received = receivedHeader(id);
      const answered = stringField(answer.body, 'requestId');
      assert.equal(answer.headers['x-request-id'], answered);
      if (SAFE_REQUEST_ID.test(received)) assert.equal(answered, received);
      else assert.match(answered ?? '', /^req_[0-9a-f]{32}$/);
    });
  });

  it('refuses a valid payment without a valid API key, before calling Stripe', async () => {
    await check(invalidAuthorization(apiKey), async (authorization) => {
      const answer = await expectRefused(() =>
        httpRequest(baseUrl(), {
          method: 'POST',
          path: '/api/payments',
          headers: {
            'content-type': 'application/json',
            ...(authorization === null ? {} : { authorization }),
          },
          body: validCharge(),
        }),
      );
      assert.equal(answer.status, 401, answer.text);
    });
  });

  it('refuses an Idempotency-Key with control characters with a problem document', async () => {
    const keys = fc
      .tuple(
        fc.stringMatching(/^[!-~]{0,20}$/),
        controlCharacter,
        fc.stringMatching(/^[!-~]{0,20}$/),
      )
      .map((parts) => parts.join(''));
    await check(keys, async (key) => {
      const body = validCharge();
      await expectRefused(() =>
        rawHttp(
          baseUrl(),
          rawRequest(
            [
              'POST /api/payments HTTP/1.1',
              'Host: 127.0.0.1',
              `Authorization: Bearer ${apiKey}`,
              'Content-Type: application/json',
              `Idempotency-Key: ${key}`,
            ],
            body,
          ),
        ),
      );
    });
  });

  it('refuses headers over the size limit with a problem document', async () => {
    await check(fc.integer({ min: 17_000, max: 60_000 }), async (length) => {
      await expectRefused(() =>
        rawHttp(
          baseUrl(),
          rawRequest([
            `GET /api/payments/${customer?.id ?? 'cus_missing'} HTTP/1.1`,
            'Host: 127.0.0.1',
            `Authorization: Bearer ${apiKey}`,
            `X-Request-Id: ${'r'.repeat(length)}`,
          ]),
        ),
      );
    });
  });

  it('logged no Stripe key, API key, card token or full email', () => {
    assert.ok(customer !== undefined);
    assertNoSecrets(logs, book, [
      STRIPE_KEY,
      apiKey,
      customer.token,
      customer.email,
      customer.email.toLowerCase(),
    ]);
  });
});

/** 1 to 255 printable ASCII characters, as the server receives the header. */
function isValidKey(key: string): boolean {
  return /^[\x20-\x7e]{1,255}$/.test(receivedHeader(key));
}

/** A media type whose essence is application/json, in any case, with or without parameters. */
function isJson(type: string): boolean {
  return /^application\/json[ \t]*(;|$)/i.test(type);
}
