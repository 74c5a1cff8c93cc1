import type http from 'node:http';
import type { AnswerBook } from './answers.ts';
import { type HttpAnswer, httpRequest, RequestTimeout, stringField } from './http.ts';

/**
 * A client as the issue describes it: it sends a POST with its own Idempotency-Key and, when the
 * outcome is unknown (a 5xx, a timeout, a lost connection) or the key is still held by an earlier
 * try (409 `idempotency_key_in_use`), sends the very same request again, a bounded number of times.
 */

export interface RetryPolicy {
  /** Retries after the first try. */
  maxRetries: number;
  /** The client's own patience per try. */
  timeoutMs: number;
  /** Backoff: base * 2^retry, capped, with jitter (half to all of it). */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The client: five retries, quick backoff (the scenario wants load, not politeness). */
export const DEFAULT_POLICY: RetryPolicy = {
  maxRetries: 5,
  timeoutMs: 60_000,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
};

export type TryResult =
  | { kind: 'answer'; status: number; code: string | null; paymentIntentID: string | null }
  | { kind: 'network'; message: string }
  | { kind: 'timeout' };

export interface PostOutcome {
  /** Every try, in order, over every call of `postWithRetries` for this key. */
  tries: TryResult[];
  /** The answer that ended the request; null when every try was retryable. */
  final: HttpAnswer | null;
}

export interface IdempotentPost {
  baseUrl: string;
  path: string;
  body: Record<string, unknown>;
  key: string;
  apiKey: string;
  agent?: http.Agent;
}

/** True when the client cannot know the outcome yet and must ask again with the same key. */
export function isRetryable(result: TryResult): boolean {
  if (result.kind !== 'answer') return true;
  if (result.status >= 500) return true;
  return result.status === 409 && result.code === 'idempotency_key_in_use';
}

/** Sends `post` until an answer ends it or the retries run out; appends to `outcome.tries`. */
export async function postWithRetries(
  post: IdempotentPost,
  policy: RetryPolicy,
  book: AnswerBook,
  outcome: PostOutcome = { tries: [], final: null },
): Promise<PostOutcome> {
  const body = JSON.stringify(post.body);
  for (let retry = 0; retry <= policy.maxRetries; retry += 1) {
    if (retry > 0) await sleep(backoff(policy, retry - 1));
    let result: TryResult;
    let answer: HttpAnswer | null = null;
    try {
      answer = await httpRequest(post.baseUrl, {
        method: 'POST',
        path: post.path,
        headers: {
          authorization: `Bearer ${post.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': post.key,
        },
        body,
        timeoutMs: policy.timeoutMs,
        agent: post.agent,
      });
      book.record(answer, `POST ${post.path} key ${post.key}`);
      result = {
        kind: 'answer',
        status: answer.status,
        code: stringField(answer.body, 'code') ?? null,
        paymentIntentID: stringField(answer.body, 'paymentIntentID') ?? null,
      };
    } catch (error) {
      result =
        error instanceof RequestTimeout
          ? { kind: 'timeout' }
          : { kind: 'network', message: error instanceof Error ? error.message : String(error) };
    }
    outcome.tries.push(result);
    if (!isRetryable(result)) {
      outcome.final = answer;
      return outcome;
    }
  }
  return outcome;
}

function backoff(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `worker` over `items` with at most `concurrency` at a time. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index];
      if (item !== undefined) await worker(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
