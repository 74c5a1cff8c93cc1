/**
 * What the bench asks of its load-generator process and what it answers, with the checks each
 * side applies to the messages it receives over IPC.
 */
import type { LatencySummary } from '../stats.ts';

/** A fixed-duration run of autocannon against one route. */
export interface LoadJob {
  kind: 'load';
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A header set to a value unique to each request (an `Idempotency-Key`). */
  uniqueHeader?: string;
  connections: number;
  durationSec: number;
}

/** One GET, timed from send to the last byte of the answer. */
export interface TimedJob {
  kind: 'timed';
  url: string;
  path: string;
  headers: Record<string, string>;
}

export type Job = LoadJob | TimedJob;

export interface LoadResult {
  connections: number;
  /** Seconds the run actually lasted. */
  durationSec: number;
  /** 2xx answers received. */
  ok: number;
  /** 2xx answers per second. */
  rps: number;
  /** Of the 2xx answers, in ms, from each request's raw time (not autocannon's whole-ms histogram). */
  latencyMs: LatencySummary;
  /** Answers by status code, e.g. `{"201": 5120}`. */
  statusCodes: Record<string, number>;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
}

export interface TimedResult {
  status: number;
  ms: number;
  bytes: number;
  /** Entries of the answer's `payments` array (-1 when it has none), counted after the timing. */
  items: number;
}

export interface JobRequest {
  id: number;
  job: Job;
}

export type JobReply =
  | { id: number; ok: true; result: LoadResult | TimedResult }
  | { id: number; ok: false; error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'number');
}

/** A job request as the worker receives it, or null when the message is not one. */
export function parseJobRequest(message: unknown): JobRequest | null {
  if (!isRecord(message) || typeof message.id !== 'number' || !isRecord(message.job)) return null;
  const { id, job } = message;
  const { url, path, headers } = job;
  if (typeof url !== 'string' || typeof path !== 'string' || !isStringRecord(headers)) return null;
  if (job.kind === 'timed') return { id, job: { kind: 'timed', url, path, headers } };

  const { method, body, uniqueHeader, connections, durationSec } = job;
  if (job.kind !== 'load' || (method !== 'GET' && method !== 'POST')) return null;
  if (typeof connections !== 'number') return null;
  if (typeof durationSec !== 'number') return null;
  if (body !== undefined && typeof body !== 'string') return null;
  if (uniqueHeader !== undefined && typeof uniqueHeader !== 'string') return null;
  const load: LoadJob = { kind: 'load', url, method, path, headers, connections, durationSec };
  if (body !== undefined) load.body = body;
  if (uniqueHeader !== undefined) load.uniqueHeader = uniqueHeader;
  return { id, job: load };
}

function parseLatency(value: unknown): LatencySummary | null {
  if (!isNumberRecord(value)) return null;
  const { p50, p90, p99, mean, min, max } = value;
  if (p50 === undefined || p90 === undefined || p99 === undefined) return null;
  if (mean === undefined || min === undefined || max === undefined) return null;
  return { p50, p90, p99, mean, min, max };
}

/** A load result as the bench receives it, or null when the message is not one. */
export function parseLoadResult(value: unknown): LoadResult | null {
  if (!isRecord(value) || !isNumberRecord(value.statusCodes)) return null;
  const latencyMs = parseLatency(value.latencyMs);
  const { connections, durationSec, ok, rps, errors, timeouts } = value;
  const numbers = [connections, durationSec, ok, rps, errors, timeouts];
  if (latencyMs === null || !numbers.every((item) => typeof item === 'number')) return null;
  return {
    connections: Number(connections),
    durationSec: Number(durationSec),
    ok: Number(ok),
    rps: Number(rps),
    latencyMs,
    statusCodes: value.statusCodes,
    errors: Number(errors),
    timeouts: Number(timeouts),
  };
}

/** A timed result as the bench receives it, or null when the message is not one. */
export function parseTimedResult(value: unknown): TimedResult | null {
  if (!isRecord(value)) return null;
  const { status, ms, bytes, items } = value;
  if (typeof status !== 'number' || typeof ms !== 'number') return null;
  if (typeof bytes !== 'number' || typeof items !== 'number') return null;
  return { status, ms, bytes, items };
}

/** A worker's reply as the bench receives it (its result still unchecked), or null. */
export function parseJobReply(message: unknown): { id: number; result: unknown; error?: string } {
  if (!isRecord(message) || typeof message.id !== 'number') {
    return { id: -1, result: null, error: 'malformed reply from the load generator' };
  }
  if (message.ok === true) return { id: message.id, result: message.result };
  const error = typeof message.error === 'string' ? message.error : 'unknown error';
  return { id: message.id, result: null, error };
}
