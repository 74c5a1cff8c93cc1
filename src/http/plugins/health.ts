// For the type of `config.rateLimit` only.
import type {} from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../../observability/readiness.ts';
import { appError } from '../../payments/errors.ts';

/** Where load balancers and orchestrators probe: open, never rate-limited, not request-logged. */
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** Paths polled by machines every few seconds, left out of the per-request log lines. */
export function isQuietPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return path === HEALTH_PATH || path === READY_PATH || path === '/metrics';
}

/** How long a load balancer should wait before probing a not-ready instance again. */
const NOT_READY_RETRY_SECONDS = 10;

/**
 * `GET /healthz`: 200 `{status: "ok"}` while the process serves requests (liveness: restart me
 * when this fails). `GET /readyz`: 200 `{status: "ready", checks}` when the ledger and Stripe
 * answer, else 503 `not_ready` naming the failed check (readiness: send me no traffic). The
 * checks' result is cached (see `createReadiness`), so probes cost Stripe one call per 10 s.
 */
export function registerHealth(app: FastifyInstance, readiness: Readiness | undefined): void {
  app.register(async (health) => {
    const config = { rateLimit: false } as const;

    health.get(HEALTH_PATH, { config }, async () => ({ status: 'ok' }));

    if (readiness === undefined) return;
    health.get(READY_PATH, { config }, async () => {
      const report = await readiness.check();
      if (!report.ready) {
        throw appError('not_ready', {
          fields: { checks: report.checks },
          retryAfterSeconds: NOT_READY_RETRY_SECONDS,
          logContext: { failures: describe(report.failures) },
        });
      }
      return { status: 'ready', checks: report.checks };
    });
  });
}

/** What the log keeps of each failure: its code and message, not the object (it may be large). */
function describe(failures: Record<string, unknown>): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [name, failure] of Object.entries(failures)) {
    if (failure instanceof Error) {
      const code = 'code' in failure && typeof failure.code === 'string' ? `${failure.code}: ` : '';
      described[name] = `${code}${failure.message}`;
    } else {
      described[name] = String(failure);
    }
  }
  return described;
}
