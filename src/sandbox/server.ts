/**
 * Starting and stopping the sandbox, and the first steps of every request.
 *
 * It runs on node:http rather than Fastify: the sandbox must control every byte Stripe's clients
 * see (Stripe's 404 text for unknown routes, its envelope for malformed requests and bad headers,
 * sockets reset or held open by injected faults), and a framework's own parsers, error pages and
 * request lifecycle would sit in the way; the routing it needs is a dozen patterns. It also keeps
 * the per-request overhead minimal, which the benchmark of `customers.create` measures.
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { configFromOptions, copyConfig, type SandboxOptions } from './config.ts';
import { handleControl, RequestStats, type SandboxState } from './control.ts';
import { envelope, transportError, unrecognizedUrl } from './errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { Idempotency } from './idempotency.ts';
import { newRequestId } from './ids.ts';
import { Router } from './router.ts';
import { ROUTES } from './routes/index.ts';
import { Store } from './store.ts';
import { API_VERSION, handleV1, type Runtime } from './v1.ts';

export interface Sandbox {
  /** e.g. 'http://127.0.0.1:40123' */
  url: string;
  host: string;
  port: number;
  /** Stops listening, ends open connections, closes the database. */
  close(): Promise<void>;
}

interface Pending {
  timer: NodeJS.Timeout;
  done: () => void;
}

function clientErrorResponse(error: Error & { code?: string }): string {
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message =
    status === 431
      ? 'The request headers are too large.'
      : 'The request could not be read as HTTP (malformed request line or headers).';
  const body = JSON.stringify(envelope(transportError(status, message).fields));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
    `Request-Id: ${newRequestId()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/** Starts a sandbox; rejects on a bad option or when the port cannot be bound. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const initial = configFromOptions(options);
  const store = new Store(options.databaseFile);
  const state: SandboxState = {
    config: copyConfig(initial),
    initial,
    stats: new RequestStats(),
    store,
  };
  const logger = pino({ level: options.log ? 'info' : 'error' }, pino.destination(2));
  const pending = new Set<Pending>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const wait = (ms: number, then: () => void): void => {
    const entry: Pending = {
      timer: setTimeout(() => {
        pending.delete(entry);
        then();
      }, ms),
      done: then,
    };
    pending.add(entry);
  };
  const runtime: Runtime = {
    state,
    router: new Router(ROUTES),
    idempotency: new Idempotency(store),
    sleep: (ms) => new Promise((resolve) => wait(ms, resolve)),
    hang: (req, ms) => wait(ms, () => req.socket.destroy()),
    isClosed: () => closed,
    logError: (err, requestId) => logger.error({ err, requestId }, 'sandbox handler failed'),
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const pathname = mark === -1 ? url : url.slice(0, mark);
    const query = mark === -1 ? '' : url.slice(mark + 1);
    res.on('finish', () => {
      logger.info(
        {
          requestId,
          method,
          path: pathname,
          status: res.statusCode,
          ms: performance.now() - started,
        },
        'request',
      );
    });

    const body = await readBody(req);
    const headers = { 'Request-Id': requestId, 'Stripe-Version': API_VERSION };
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      const error = transportError(413, 'The request body is too large.');
      sendJson(res, 413, JSON.stringify(envelope(error.fields)), {
        ...headers,
        Connection: 'close',
      });
      return;
    }
    if (pathname.startsWith('/_sandbox/')) {
      const reply = handleControl(state, method, pathname, body.text);
      sendJson(res, reply.status, JSON.stringify(reply.body), headers);
      return;
    }
    if (pathname.startsWith('/v1/')) {
      await handleV1(runtime, { req, res, requestId, method, pathname, query, body: body.text });
      return;
    }
    const error = unrecognizedUrl(method, pathname);
    sendJson(res, error.status, JSON.stringify(envelope(error.fields)), headers);
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      logger.error({ err }, 'sandbox request failed');
      if (!res.headersSent) {
        const body = JSON.stringify({ error: { type: 'api_error', message: 'Internal error.' } });
        sendJson(res, 500, body, { 'Request-Id': newRequestId() });
      } else {
        res.destroy();
      }
    });
  });
  // Malformed request lines and headers never reach the handler; answer them in the envelope.
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error));
  });

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const address: AddressInfo | string | null = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    close: () => {
      closing ??= (async () => {
        closed = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Waiting requests (latency, hangs) resume, see `closed` and drop their sockets.
        for (const entry of pending) {
          clearTimeout(entry.timer);
          entry.done();
        }
        pending.clear();
        server.closeAllConnections();
        await stopped;
        store.close();
      })();
      return closing;
    },
  };
}
