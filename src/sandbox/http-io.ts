/** Reading request bodies and writing JSON answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies larger than this are refused with 413 (Stripe's own limit is not documented). */
export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'too_large' | 'aborted' };

/** Reads the whole body as UTF-8, stopping at MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Keep draining without storing, so the answer can still be written.
        chunks.length = 0;
        finish({ ok: false, reason: 'too_large' });
      } else if (!done) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** Writes a JSON answer unless the client is gone. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>>,
): void {
  if (res.writableEnded || res.destroyed) return;
  // One writeHead with every header: cheaper than a setHeader call per header.
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
