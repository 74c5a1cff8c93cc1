import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../observability/metrics.ts';

/** Where Prometheus scrapes; needs an API key when keys are configured (see auth.ts). */
export const METRICS_PATH = '/metrics';

/** The route label of requests that matched no route: never the raw URL (unbounded values). */
const UNMATCHED = 'unmatched';

/**
 * Times every request by method, route pattern and status, and serves `GET /metrics` in
 * Prometheus' text format from the service's own registry.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    metrics.httpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.register(async (scope) => {
    scope.get(METRICS_PATH, async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });
  });
}
