/**
 * The load generator: a child process of the bench (forked by client.ts) that runs the jobs it is
 * sent over IPC, one at a time, so that no load is generated inside the processes measured.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { round, summarise } from '../stats.ts';
import {
  type JobReply,
  type LoadJob,
  type LoadResult,
  parseJobRequest,
  type TimedJob,
  type TimedResult,
} from './jobs.ts';

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const { uniqueHeader } = job;
  // Unique across jobs and runs: a key the API has seen would be replayed, not charged.
  const prefix = `bench-${randomUUID()}`;
  let counter = 0;
  const request: autocannon.Request = {};
  if (uniqueHeader !== undefined) {
    request.setupRequest = (req) => {
      counter += 1;
      return { ...req, headers: { ...req.headers, [uniqueHeader]: `${prefix}-${counter}` } };
    };
  }

  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${job.url}${job.path}`,
        method: job.method,
        headers: job.headers,
        ...(job.body === undefined ? {} : { body: job.body }),
        requests: [request],
        connections: job.connections,
        duration: job.durationSec,
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    // Raw times per answer: autocannon's own histogram keeps whole milliseconds only.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });

  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    connections: job.connections,
    durationSec: result.duration,
    ok: latencies.length,
    rps: round(latencies.length / result.duration, 1),
    latencyMs: summarise(latencies),
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function runTimed(job: TimedJob): Promise<TimedResult> {
  const started = performance.now();
  const response = await fetch(`${job.url}${job.path}`, { headers: job.headers });
  const body = await response.text();
  const ms = round(performance.now() - started, 3);
  return {
    status: response.status,
    ms,
    bytes: Buffer.byteLength(body),
    items: countPayments(body),
  };
}

/** How many payments an answer lists: proof that a history came back whole. */
function countPayments(body: string): number {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('payments' in parsed)) return -1;
    return Array.isArray(parsed.payments) ? parsed.payments.length : -1;
  } catch {
    return -1;
  }
}

function reply(message: JobReply): void {
  process.send?.(message);
}

process.on('message', (message: unknown) => {
  const request = parseJobRequest(message);
  if (request === null) {
    reply({ id: -1, ok: false, error: 'malformed job' });
    return;
  }
  const { id, job } = request;
  const work = job.kind === 'load' ? runLoad(job) : runTimed(job);
  work.then(
    (result) => reply({ id, ok: true, result }),
    (error: unknown) => reply({ id, ok: false, error: String(error) }),
  );
});

// The bench closes the channel when it is done (or dies): nothing is left running.
process.on('disconnect', () => process.exit(0));
