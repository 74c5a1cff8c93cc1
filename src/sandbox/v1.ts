/**
 * The life of a /v1 request: count it, draw a fault, authenticate, route, check parameters,
 * admit it through the idempotency layer, wait the injected latency, then run its handler in one
 * synchronous transaction (see store.ts for why that serializes concurrent requests) and record
 * the answer for replay.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth.ts';
import type { Ctx, Reply, Route } from './context.ts';
import type { SandboxState } from './control.ts';
import { envelope, internalError, invalidRequest, StripeError, unrecognizedUrl } from './errors.ts';
import { drawFault, drawLatency, faultError } from './faults.ts';
import { sendJson } from './http-io.ts';
import { fingerprintParams, Idempotency } from './idempotency.ts';
import { checkParams, Params } from './params.ts';
import type { Match, Router } from './router.ts';
import { parseForm } from './wire.ts';

/** The API version the SDK pins, answered when a request names none. */
export const API_VERSION = '2026-11-18.endive';
const VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;
const PRINTABLE = /^[\x20-\x7e]+$/;

/** What the pipeline needs from the server around it. */
export interface Runtime {
  readonly state: SandboxState;
  readonly router: Router;
  readonly idempotency: Idempotency;
  /** Resolves after `ms`, or early when the server closes. */
  sleep(ms: number): Promise<void>;
  /** Destroys the socket after `ms` (a `hang` fault); cancelled when the server closes. */
  hang(req: IncomingMessage, ms: number): void;
  isClosed(): boolean;
  logError(error: unknown, requestId: string): void;
}

export interface Incoming {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  pathname: string;
  query: string;
  body: string;
}

type Prepared =
  | { kind: 'answer'; status: number; body: string; headers: Record<string, string> }
  | {
      kind: 'execute';
      route: Route;
      ctx: Ctx;
      scope: string | null;
      endpoint: string;
      fingerprint: string;
    };

function errorBody(error: StripeError, requestId: string): string {
  const fields = { ...error.fields };
  if (error.status === 400 || error.status === 402 || error.status === 404) {
    fields.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
  }
  return JSON.stringify(envelope(fields));
}

function baseHeaders(incoming: Incoming, version: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Request-Id': incoming.requestId,
    'Stripe-Version': version,
    'Cache-Control': 'no-cache, no-store',
  };
  const key = incoming.req.headers['idempotency-key'];
  if (incoming.method === 'POST' && typeof key === 'string' && PRINTABLE.test(key)) {
    headers['Idempotency-Key'] = key;
  }
  return headers;
}

function prepare(
  rt: Runtime,
  incoming: Incoming,
  match: Match | undefined,
  headers: Record<string, string>,
  now: number,
): Prepared {
  const { req, method, pathname } = incoming;
  const versionHeader = req.headers['stripe-version'];
  const version = typeof versionHeader === 'string' ? versionHeader.trim() : API_VERSION;

  const caller = authenticate(req.headers.authorization, match?.route.publishable ?? false);
  if (!VERSION.test(version)) throw invalidRequest(`Invalid Stripe API version: ${version}`);
  headers['Stripe-Version'] = version;
  if (!match) throw unrecognizedUrl(method, pathname);

  const raw = parseForm(incoming.query);
  if (method === 'POST') Object.assign(raw, parseForm(incoming.body));
  checkParams(raw, match.route.shape);

  const endpoint = `${method} ${pathname}`;
  const key = req.headers['idempotency-key'];
  let scope: string | null = null;
  let fingerprint = '';
  if (method === 'POST' && typeof key === 'string' && key !== '') {
    Idempotency.checkKey(key);
    fingerprint = fingerprintParams(raw);
    const admission = rt.idempotency.admit(caller.key, key, endpoint, fingerprint, now);
    if (admission.kind === 'refuse') throw admission.error;
    if (admission.kind === 'replay') {
      const { record } = admission;
      return {
        kind: 'answer',
        status: record.status,
        body: record.body,
        headers: {
          ...headers,
          'Idempotent-Replayed': 'true',
          'Original-Request': record.requestId,
        },
      };
    }
    scope = admission.scope;
  }

  const values = match.values;
  const ctx: Ctx = {
    store: rt.state.store,
    params: new Params(raw),
    path: (name) => values.get(name) ?? '',
    now,
    apiVersion: version,
    magic: new Map(),
  };
  return { kind: 'execute', route: match.route, ctx, scope, endpoint, fingerprint };
}

/** Runs the handler atomically and records its answer; thrown errors write nothing. */
function execute(
  rt: Runtime,
  incoming: Incoming,
  prepared: Extract<Prepared, { kind: 'execute' }>,
) {
  const { ctx, scope } = prepared;
  const record = (status: number, body: string) => {
    if (scope === null) return;
    rt.idempotency.record({
      scope,
      endpoint: prepared.endpoint,
      fingerprint: prepared.fingerprint,
      status,
      body,
      requestId: incoming.requestId,
      created: ctx.now,
    });
  };
  try {
    return rt.state.store.transaction(() => {
      const reply: Reply = prepared.route.handler(ctx);
      const body = JSON.stringify(reply.body);
      record(reply.status, body);
      return { status: reply.status, body, headers: {} };
    });
  } catch (error) {
    const stripeError = error instanceof StripeError ? error : internalError();
    if (!(error instanceof StripeError)) rt.logError(error, incoming.requestId);
    const body = errorBody(stripeError, incoming.requestId);
    // A card refused (402) is an outcome of executing the request, which Stripe stores and
    // replays; parameter, state and lookup errors are validation, which it does not store.
    if (stripeError.status === 402) record(402, body);
    return { status: stripeError.status, body, headers: stripeError.headers };
  }
}

/** Handles one /v1 request from its parsed parts to the answer on the wire. */
export async function handleV1(rt: Runtime, incoming: Incoming): Promise<void> {
  const { req, res, method, pathname } = incoming;
  const match = rt.router.match(method, pathname);
  rt.state.stats.count(`${method} ${match ? match.route.pattern : '(unmatched)'}`);
  const fault = drawFault(rt.state.config);
  const delay = drawLatency(rt.state.config);
  const now = Math.floor(Date.now() / 1000);
  const headers = baseHeaders(incoming, API_VERSION);

  let prepared: Prepared | undefined;
  try {
    if (fault === null) {
      prepared = prepare(rt, incoming, match, headers, now);
    }
  } catch (error) {
    const stripeError = error instanceof StripeError ? error : internalError();
    if (!(error instanceof StripeError)) rt.logError(error, incoming.requestId);
    prepared = {
      kind: 'answer',
      status: stripeError.status,
      body: errorBody(stripeError, incoming.requestId),
      headers: { ...headers, ...stripeError.headers },
    };
  }

  const scope = prepared?.kind === 'execute' ? prepared.scope : null;
  try {
    if (delay > 0) await rt.sleep(delay);
    if (rt.isClosed()) {
      req.socket.destroy();
      return;
    }
    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'hang') {
      rt.hang(req, rt.state.config.faults.hangMs);
      return;
    }
    if (fault !== null) {
      const error = faultError(fault);
      sendJson(res, error.status, errorBody(error, incoming.requestId), {
        ...headers,
        ...error.headers,
      });
      return;
    }
    if (prepared === undefined) return;
    const answer = prepared.kind === 'answer' ? prepared : execute(rt, incoming, prepared);
    sendJson(res, answer.status, answer.body, { ...headers, ...answer.headers });
  } finally {
    if (scope !== null) rt.idempotency.release(scope);
  }
}
