/**
 * A Stripe-compatible sandbox: an HTTP server speaking Stripe's v1 wire protocol for tokens,
 * PaymentMethods, customers and their cards, PaymentIntents and charges, with Stripe's test-card
 * behaviour, idempotency, and injectable latency and faults. It imports nothing from the rest of
 * the product: it stands in for a remote service.
 */
export type {
  FaultKind,
  FaultOptions,
  LatencyOptions,
  SandboxOptions,
} from './config.ts';
export { sandboxOptionsFromEnv } from './env.ts';
export { type Sandbox, startSandbox } from './server.ts';
