import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../payments/deps.ts';

/**
 * The logger of the request being served, reachable from code that has no request in hand (the
 * domain, the Stripe gateway). So their lines carry the request's bindings (`requestId`, the
 * caller's label) without the domain knowing about HTTP.
 */
const current = new AsyncLocalStorage<Logger>();

/** Runs `fn` (and everything it starts) with `logger` as the current request's logger. */
export function runWithLogger<T>(logger: Logger, fn: () => T): T {
  return current.run(logger, fn);
}

/**
 * A logger that writes through the current request's logger when there is one, else through
 * `fallback` (start-up, the sweeper).
 */
export function contextualLogger(fallback: Logger): Logger {
  const target = () => current.getStore() ?? fallback;
  return {
    debug: (fields, message) => target().debug(fields, message),
    info: (fields, message) => target().info(fields, message),
    warn: (fields, message) => target().warn(fields, message),
    error: (fields, message) => target().error(fields, message),
  };
}
