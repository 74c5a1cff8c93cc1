import { randomUUID } from 'node:crypto';

/** An inbound request id is kept only when short and of a safe charset, else a new one is made. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A fresh request id, in the style of Stripe's (`req_` and 32 hex digits). */
export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}

/** The request's id: the caller's `X-Request-Id` when it is safe to log and echo, else a new one. */
export function requestIdFor(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && SAFE_REQUEST_ID.test(inbound) ? inbound : newRequestId();
}
