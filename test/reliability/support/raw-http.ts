import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { type HttpAnswer, parseJson } from './http.ts';

/**
 * HTTP/1.1 over a bare socket, for requests node:http refuses to send: control characters in a
 * header value, headers past the server's size limit. The request is written as given (add
 * `Connection: close`), the answer read until the server closes the connection.
 *
 * @throws when the server closes without any answer, or after `timeoutMs`.
 */
export function rawHttp(url: string, request: Buffer, timeoutMs = 10_000): Promise<HttpAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer in time')), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      // A server may reset the connection right after answering; keep the answer if there is one.
      if (chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = parseAnswer(Buffer.concat(chunks));
      if (answer === null) reject(new Error('the server closed the connection without an answer'));
      else resolve(answer);
    });
    socket.end(request);
  });
}

/** Builds a request from lines and a body; header values are written byte for byte (latin1). */
export function rawRequest(head: readonly string[], body = ''): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const lines = [...head, `Content-Length: ${bytes.length}`, 'Connection: close', '', ''];
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), bytes]);
}

function parseAnswer(raw: Buffer): HttpAnswer | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return null;

  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(String(headers['transfer-encoding'] ?? ''))) body = dechunk(body);
  const text = body.toString('utf8');
  return { status, headers, text, body: parseJson(text) };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
