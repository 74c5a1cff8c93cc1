import type { FastifyInstance } from 'fastify';

/**
 * Lets a closing server finish: once `app.close()` has begun, every answer still to be sent says
 * `Connection: close`, so its keep-alive socket ends with it. Without this, the connection of a
 * request that was in flight at the signal stays open and idle until the client or the
 * keep-alive timeout closes it, and the shutdown waits for it. New requests that arrive while
 * closing get Fastify's own 503.
 */
export function registerDrain(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
