import { once } from 'node:events';
import http from 'node:http';
import type { FaultKind } from '../../../src/sandbox/index.ts';
import { isRecord, parseJson, stringField } from './http.ts';

/**
 * A pass-through HTTP proxy between the API and the sandbox that counts the faults the sandbox
 * injects, by kind: its stats count requests only. Each request gets a connection of its own
 * upstream, so a fault on one cannot spill over to another. What the sandbox does to a
 * request, the proxy does to the API's: the same status and body, or a destroyed socket.
 *
 * How a fault is recognised: the HTTP ones carry the sandbox's "(injected by the sandbox)"
 * marker; a socket closed without an answer is a `reset`, or a `hang` when it stayed open for
 * about `hangMs` first.
 */

export type FaultCounts = Record<FaultKind, number>;

export interface FaultProxy {
  url: string;
  /** Requests forwarded so far. */
  requests(): number;
  faults(): FaultCounts;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'proxy-connection',
  'upgrade',
]);

export async function startFaultProxy(target: string, hangMs: number): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts: FaultCounts = {
    http_500: 0,
    http_503: 0,
    http_429: 0,
    http_429_retry: 0,
    reset: 0,
    hang: 0,
  };
  let requests = 0;

  const server = http.createServer((req, res) => {
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const started = performance.now();
      const forward = http.request({
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: withoutHopByHop(req.headers),
        agent: false,
      });
      forward.on('response', (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const payload = Buffer.concat(body);
          const kind = injectedKind(answer.statusCode ?? 0, payload.toString('utf8'));
          if (kind !== null) counts[kind] += 1;
          if (res.destroyed) return;
          res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
          res.end(payload);
        });
      });
      forward.on('error', () => {
        // The sandbox closed the socket without an answer: pass the same on.
        counts[performance.now() - started >= hangMs * 0.9 ? 'hang' : 'reset'] += 1;
        res.destroy();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy bound no port');
  const { port } = address;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    faults: () => ({ ...counts }),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Which injected fault an answer is, or null for a genuine answer. */
function injectedKind(status: number, text: string): FaultKind | null {
  if (!text.includes('(injected by the sandbox)')) return null;
  const envelope = parseJson(text);
  const code = stringField(isRecord(envelope) ? envelope.error : undefined, 'code');
  if (status === 500) return 'http_500';
  if (status === 503) return 'http_503';
  if (status === 429) return code === 'lock_timeout' ? 'http_429_retry' : 'http_429';
  return null;
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

/** All counts added up. */
export function totalFaults(counts: FaultCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
