import http from 'node:http';

/** One HTTP answer, its body parsed as JSON when it is JSON. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: unknown;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; pass a string already serialized. */
  body?: string | Buffer;
  /** Abort and reject with a `RequestTimeout` after this long; default 60 s. */
  timeoutMs?: number;
  agent?: http.Agent;
}

/** The client gave up waiting: the request's outcome is unknown. */
export class RequestTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'RequestTimeout';
  }
}

/**
 * One request over node:http (fetch refuses a body on GET, which the history route accepts).
 * Rejects on a connection error or a timeout; any HTTP status resolves.
 */
export function httpRequest(baseUrl: string, request: HttpRequest): Promise<HttpAnswer> {
  const timeoutMs = request.timeoutMs ?? 60_000;
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(request.body));
  }

  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}${request.path}`,
      { method: request.method, headers, agent: request.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: parseJson(text),
          });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new RequestTimeout(timeoutMs)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(request.body);
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when it is a string. */
export function stringField(value: unknown, key: string): string | undefined {
  const member = isRecord(value) ? value[key] : undefined;
  return typeof member === 'string' ? member : undefined;
}
