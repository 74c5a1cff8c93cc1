import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AnswerBook } from './answers.ts';
import type { ChargeCase, ChargeRecord } from './audit.ts';
import type { RegisteredCustomer } from './customers.ts';
import { postWithRetries, type RetryPolicy, runPool } from './retrying-client.ts';

/**
 * `count` payment requests spread over the customers, each with its own key and amount; every
 * `abandonEvery`-th one is sent by a client that never retries.
 */
export function chargeCases(
  customers: readonly RegisteredCustomer[],
  count: number,
  label: string,
  abandonEvery: number,
): ChargeCase[] {
  return Array.from({ length: count }, (_, index) => {
    const customer = customers[index % customers.length];
    if (customer === undefined) throw new Error('no customers to charge');
    return {
      key: `${label}-${index}-${randomUUID()}`,
      customerId: customer.id,
      // 50 cents to $1,000, varied so that no two requests look alike.
      amount: 50 + Math.floor(Math.random() * 99_950),
      abandons: index % abandonEvery === abandonEvery - 1,
    };
  });
}

export interface LoadTarget {
  baseUrl: string;
  apiKey: string;
  concurrency: number;
  policy: RetryPolicy;
  book: AnswerBook;
  /** Called after each request's retries are over, with how many are over so far. */
  onDone?: (done: number) => void;
}

/** Sends every case with its retries, `concurrency` clients at a time. */
export async function runCharges(
  cases: readonly ChargeCase[],
  target: LoadTarget,
): Promise<ChargeRecord[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: target.concurrency });
  const records: ChargeRecord[] = cases.map((c) => ({ ...c, outcome: { tries: [], final: null } }));
  let done = 0;
  try {
    await runPool(records, target.concurrency, async (record) => {
      const policy = record.abandons ? { ...target.policy, maxRetries: 0 } : target.policy;
      await postWithRetries(postOf(record, target, agent), policy, target.book, record.outcome);
      done += 1;
      target.onDone?.(done);
    });
  } finally {
    agent.destroy();
  }
  return records;
}

/**
 * Sends again, with the same key and body, every request whose retries ran out without an
 * answer that ends it; answers how many there were.
 */
export async function retryOutstanding(
  records: readonly ChargeRecord[],
  target: LoadTarget,
): Promise<number> {
  const outstanding = records.filter((r) => r.outcome.final === null && !r.abandons);
  const agent = new http.Agent({ keepAlive: true, maxSockets: target.concurrency });
  try {
    await runPool(outstanding, target.concurrency, async (record) => {
      await postWithRetries(
        postOf(record, target, agent),
        target.policy,
        target.book,
        record.outcome,
      );
    });
  } finally {
    agent.destroy();
  }
  return outstanding.length;
}

function postOf(record: ChargeRecord, target: LoadTarget, agent: http.Agent) {
  return {
    baseUrl: target.baseUrl,
    apiKey: target.apiKey,
    path: '/api/payments',
    body: { stripeCustomerID: record.customerId, amount: record.amount },
    key: record.key,
    agent,
  };
}

/** Requests whose client gave up without knowing the outcome. */
export function abandonedUnknown(records: readonly ChargeRecord[]): number {
  return records.filter((record) => record.abandons && record.outcome.final === null).length;
}

/** Tries beyond the first of each request. */
export function retriesOf(records: readonly ChargeRecord[]): number {
  return records.reduce((sum, record) => sum + Math.max(0, record.outcome.tries.length - 1), 0);
}

/** Tries that got no HTTP answer: the connection failed or the client gave up waiting. */
export function unansweredTries(records: readonly ChargeRecord[]): number {
  let n = 0;
  for (const record of records) n += record.outcome.tries.filter((t) => t.kind !== 'answer').length;
  return n;
}
