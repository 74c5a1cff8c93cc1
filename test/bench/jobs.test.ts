import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseJobReply,
  parseJobRequest,
  parseLoadResult,
  parseTimedResult,
} from '../../bench/load/jobs.ts';
import { countsSince } from '../../bench/sandbox-control.ts';

const LOAD_JOB = {
  kind: 'load',
  url: 'http://127.0.0.1:1',
  method: 'POST',
  path: '/api/payments',
  headers: { 'content-type': 'application/json' },
  body: '{}',
  uniqueHeader: 'idempotency-key',
  connections: 8,
  durationSec: 5,
};

describe('parseJobRequest', () => {
  it('accepts a load job and a timed job as sent by the bench', () => {
    assert.deepEqual(parseJobRequest({ id: 1, job: LOAD_JOB }), { id: 1, job: LOAD_JOB });
    const timed = { kind: 'timed', url: 'http://127.0.0.1:1', path: '/x', headers: {} };
    assert.deepEqual(parseJobRequest({ id: 2, job: timed }), { id: 2, job: timed });
  });

  it('rejects a message with a wrong kind, method or field type', () => {
    assert.equal(parseJobRequest({ id: 1, job: { ...LOAD_JOB, kind: 'other' } }), null);
    assert.equal(parseJobRequest({ id: 1, job: { ...LOAD_JOB, method: 'PUT' } }), null);
    assert.equal(parseJobRequest({ id: 1, job: { ...LOAD_JOB, connections: '8' } }), null);
    assert.equal(parseJobRequest({ id: 1, job: { ...LOAD_JOB, headers: { a: 1 } } }), null);
    assert.equal(parseJobRequest({ job: LOAD_JOB }), null);
    assert.equal(parseJobRequest('job'), null);
  });
});

describe('parseLoadResult and parseTimedResult', () => {
  const latencyMs = { p50: 1, p90: 2, p99: 3, mean: 1.5, min: 0.5, max: 4 };
  const result = {
    connections: 8,
    durationSec: 5,
    ok: 100,
    rps: 20,
    latencyMs,
    statusCodes: { 201: 100 },
    errors: 0,
    timeouts: 0,
  };

  it('accepts a complete result, NaN latencies included', () => {
    assert.deepEqual(parseLoadResult(result), { ...result, statusCodes: { '201': 100 } });
    const empty = { ...result, latencyMs: { ...latencyMs, p50: Number.NaN } };
    assert.ok(Number.isNaN(parseLoadResult(empty)?.latencyMs.p50));
  });

  it('rejects a result missing a figure', () => {
    assert.equal(parseLoadResult({ ...result, rps: undefined }), null);
    assert.equal(parseLoadResult({ ...result, latencyMs: { p50: 1 } }), null);
    assert.equal(parseTimedResult({ status: 200, ms: 1, bytes: 2 }), null);
    assert.deepEqual(parseTimedResult({ status: 200, ms: 1, bytes: 2, items: 3 }), {
      status: 200,
      ms: 1,
      bytes: 2,
      items: 3,
    });
  });
});

describe('parseJobReply', () => {
  it('passes a success on and turns a failure or a malformed reply into an error', () => {
    assert.deepEqual(parseJobReply({ id: 3, ok: true, result: 7 }), { id: 3, result: 7 });
    assert.deepEqual(parseJobReply({ id: 3, ok: false, error: 'boom' }), {
      id: 3,
      result: null,
      error: 'boom',
    });
    assert.equal(parseJobReply(null).id, -1);
  });
});

describe('countsSince', () => {
  it('keeps only the routes called in between, with how often', () => {
    const before = { 'GET /v1/customers/:id': 2, 'POST /v1/customers': 5 };
    const after = {
      'GET /v1/customers/:id': 3,
      'POST /v1/customers': 5,
      'GET /v1/payment_intents': 4,
    };
    assert.deepEqual(countsSince(before, after), {
      'GET /v1/customers/:id': 1,
      'GET /v1/payment_intents': 4,
    });
  });
});
