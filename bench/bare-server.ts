/**
 * The bench's baselines, as a bare `node:http` server (bench-only; never part of the product):
 *
 * - `POST /api/payments` makes the same Stripe calls as the real route, with the same parameters,
 *   and nothing else: no validation, idempotency, ledger, problem documents or logging.
 * - `GET /api/payments/:customer_id` is the naive history: every PaymentIntent of the customer
 *   listed from Stripe with the SDK's auto-pagination on every request.
 *
 * Configured like the API (same variables, same SDK client builder and defaults), so the Stripe
 * side of both is identical: HOST, PORT, STRIPE_SECRET_KEY, STRIPE_API_BASE.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadConfig } from '../src/config.ts';
import { CHARGE_KEY_METADATA } from '../src/payments/stripe-port.ts';
import { createStripeClient } from '../src/stripe/client.ts';

/** Stripe's cap on what `autoPagingToArray` may collect. */
const NAIVE_LIMIT = 10_000;

const config = loadConfig(process.env);
if (config.stripeSecretKey === null) throw new Error('STRIPE_SECRET_KEY is required');
const stripe = createStripeClient({
  secretKey: config.stripeSecretKey,
  apiBase: config.stripeApiBase,
  timeoutMs: config.stripeTimeoutMs,
  maxNetworkRetries: config.stripeMaxNetworkRetries,
});

async function charge(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body: unknown = JSON.parse(await readBody(request));
  if (!isChargeBody(body)) return send(response, 400, { error: 'bad body' });
  const header = request.headers['idempotency-key'];
  const key = `bare_${typeof header === 'string' ? header : randomUUID()}_create_payment_intent`;

  const customer = await stripe.customers.retrieve(body.stripeCustomerID);
  if (customer.deleted) return send(response, 404, { error: 'no customer' });
  const paymentMethod = idOf(customer.invoice_settings.default_payment_method);
  const source = idOf(customer.default_source);

  const pi = await stripe.paymentIntents.create(
    {
      amount: body.amount,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod ?? source ?? undefined,
      confirm: true,
      off_session: true,
      capture_method: 'automatic',
      allowed_payment_method_types: ['card'],
      metadata: { [CHARGE_KEY_METADATA]: key },
    },
    { idempotencyKey: key },
  );
  send(response, 201, {
    paymentIntentID: pi.id,
    status: pi.status,
    amount: pi.amount,
    currency: pi.currency,
  });
}

async function naiveHistory(customerId: string, response: ServerResponse): Promise<void> {
  const all = await stripe.paymentIntents
    .list({ customer: customerId, limit: 100 })
    .autoPagingToArray({ limit: NAIVE_LIMIT });
  send(response, 200, {
    payments: all.map((pi) => ({
      id: pi.id,
      amount: pi.amount,
      currency: pi.currency,
      status: pi.status,
      created: new Date(pi.created * 1000).toISOString(),
    })),
  });
}

function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url ?? '/';
  if (request.method === 'POST' && path === '/api/payments') return charge(request, response);
  const history = /^\/api\/payments\/([^/?]+)$/.exec(path);
  if (request.method === 'GET' && history?.[1] !== undefined) {
    return naiveHistory(decodeURIComponent(history[1]), response);
  }
  send(response, 404, { error: 'not found' });
  return Promise.resolve();
}

const server = createServer((request, response) => {
  route(request, response).catch((error: unknown) => {
    // The bench counts non-2xx answers; the message helps when a baseline misbehaves.
    send(response, 500, { error: error instanceof Error ? error.message : String(error) });
  });
});
// Fastify's default, so that neither server closes idle load connections sooner than the other.
server.keepAliveTimeout = 72_000;
server.listen(config.port, config.host);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function send(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function isChargeBody(value: unknown): value is { stripeCustomerID: string; amount: number } {
  if (typeof value !== 'object' || value === null) return false;
  if (!('stripeCustomerID' in value) || !('amount' in value)) return false;
  return typeof value.stripeCustomerID === 'string' && typeof value.amount === 'number';
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
