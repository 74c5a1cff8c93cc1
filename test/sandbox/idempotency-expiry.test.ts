import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Idempotency } from '../../src/sandbox/idempotency.ts';
import { Store } from '../../src/sandbox/store.ts';

const DAY = 24 * 60 * 60;
const T0 = 1_900_000_000;

/** Admits a request and, when it executes, stores its answer as made at `now`. */
function run(idempotency: Idempotency, key: string, fingerprint: string, now: number) {
  const admission = idempotency.admit(
    'sk_test_sandbox',
    key,
    'POST /v1/customers',
    fingerprint,
    now,
  );
  if (admission.kind === 'execute') {
    idempotency.record({
      scope: admission.scope,
      endpoint: 'POST /v1/customers',
      fingerprint,
      status: 200,
      body: '{}',
      requestId: 'req_1',
      created: now,
    });
    idempotency.release(admission.scope);
  }
  return admission.kind;
}

describe('sandbox idempotency keys over time', () => {
  it('replays a key for 24 hours and treats it as new afterwards', () => {
    const idempotency = new Idempotency(new Store());

    assert.equal(run(idempotency, 'k1', 'a', T0), 'execute');
    assert.equal(run(idempotency, 'k1', 'a', T0 + DAY - 1), 'replay');
    assert.equal(run(idempotency, 'k1', 'b', T0 + DAY - 1), 'refuse');
    // Past the 24 hours the key is free again, whatever the parameters.
    assert.equal(run(idempotency, 'k1', 'b', T0 + DAY + 1), 'execute');
    assert.equal(run(idempotency, 'k1', 'b', T0 + DAY + 2), 'replay');
  });
});
