import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import Stripe from 'stripe';
import {
  type FaultOptions,
  type LatencyOptions,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox/index.ts';

/** An obviously fake key; the sandbox accepts any `sk_test_` key. */
export const TEST_KEY = 'sk_test_sandbox';

/** An SDK client pointed at a sandbox, with retries off so tests see each answer as sent. */
export function sdkFor(
  sandbox: Pick<Sandbox, 'host' | 'port'>,
  config: Partial<Stripe.StripeConfig> = {},
  key: string = TEST_KEY,
): Stripe {
  return new Stripe(key, {
    host: sandbox.host,
    port: sandbox.port,
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 0,
    ...config,
  });
}

export interface TestSandbox {
  sandbox: Sandbox;
  stripe: Stripe;
  close(): Promise<void>;
}

/** Starts an in-memory sandbox on a free port with an SDK client for it. */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ port: 0, ...options });
  return { sandbox, stripe: sdkFor(sandbox), close: () => sandbox.close() };
}

/** A raw HTTP answer from the sandbox, body parsed as JSON when it is JSON. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when the body is not valid JSON. */
  body: unknown;
}

export interface RawRequestOptions {
  /** Sent as `Authorization: Bearer <key>`; null sends no Authorization header. */
  key?: string | null;
  /** Extra headers; an `Authorization` entry here replaces the Bearer header. */
  headers?: Record<string, string>;
  /** The body exactly as sent; form-encoded unless `contentType` says otherwise. */
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

/** One HTTP request to the sandbox without the SDK, for wire-level cases. */
export async function rawRequest(
  sandbox: Pick<Sandbox, 'url'>,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? TEST_KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.body,
    signal: options.signal,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when value is an object, else undefined: navigates parsed JSON without casts. */
export function prop(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** The `error` object of a Stripe error envelope; fails the test when the body is not one. */
export function errorOf(body: unknown): Record<string, unknown> {
  const error = prop(body, 'error');
  if (!isRecord(error)) {
    throw new assert.AssertionError({ message: 'expected a Stripe error envelope', actual: body });
  }
  return error;
}

/** Awaits a promise that must reject with an instance of `cls`, and returns the error. */
export async function expectRejection<T extends Error>(
  promise: Promise<unknown>,
  cls: new (...args: never[]) => T,
): Promise<T> {
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof cls) return err;
    throw new assert.AssertionError({ message: `expected ${cls.name}`, actual: err });
  }
  throw new assert.AssertionError({
    message: `expected ${cls.name}, got a result`,
    actual: result,
  });
}

/** Calls a private control endpoint (JSON in and out, no API key). */
export function controlRequest(
  sandbox: Pick<Sandbox, 'url'>,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return rawRequest(sandbox, method, `/_sandbox/${path}`, {
    key: null,
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
}

/** Deletes every object and restores the start-up latency and faults. */
export async function resetSandbox(sandbox: Pick<Sandbox, 'url'>): Promise<void> {
  const res = await controlRequest(sandbox, 'POST', 'reset', {});
  assert.equal(res.status, 200, res.text);
}

/** Changes latency and faults at run time; fails the test when the sandbox refuses. */
export async function configureSandbox(
  sandbox: Pick<Sandbox, 'url'>,
  config: { latency?: LatencyOptions; faults?: FaultOptions },
): Promise<void> {
  const res = await controlRequest(sandbox, 'POST', 'config', config);
  assert.equal(res.status, 200, res.text);
}

export interface SandboxStats {
  total: number;
  byRoute: Record<string, number>;
}

/** The sandbox's /v1 request counters (see `GET /_sandbox/stats`). */
export async function sandboxStats(sandbox: Pick<Sandbox, 'url'>): Promise<SandboxStats> {
  const res = await controlRequest(sandbox, 'GET', 'stats');
  assert.equal(res.status, 200, res.text);
  const requests = prop(res.body, 'requests');
  const total = prop(requests, 'total');
  const routes = prop(requests, 'byRoute');
  assert.equal(typeof total, 'number', res.text);
  const byRoute: Record<string, number> = {};
  for (const [route, count] of Object.entries(isRecord(routes) ? routes : {})) {
    if (typeof count === 'number') byRoute[route] = count;
  }
  return { total: typeof total === 'number' ? total : Number.NaN, byRoute };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A sandbox shared by the tests of one file; its members are valid from the first test on. */
export interface SandboxFixture {
  readonly sandbox: Sandbox;
  readonly stripe: Stripe;
}

/**
 * Starts one in-memory sandbox before the tests of the calling `describe`, closes it after them,
 * and (unless `resetEach` is false) resets its state before each test.
 */
export function useTestSandbox(
  options: SandboxOptions = {},
  { resetEach = true }: { resetEach?: boolean } = {},
): SandboxFixture {
  let started: TestSandbox | undefined;
  const current = (): TestSandbox => started ?? assert.fail('the sandbox is not started yet');

  before(async () => {
    started = await startTestSandbox(options);
  });
  after(async () => {
    await started?.close();
  });
  if (resetEach) {
    beforeEach(async () => {
      await resetSandbox(current().sandbox);
    });
  }
  return {
    get sandbox() {
      return current().sandbox;
    },
    get stripe() {
      return current().stripe;
    },
  };
}
