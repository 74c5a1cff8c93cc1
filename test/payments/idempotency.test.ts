import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, appError, cardError } from '../../src/payments/errors.ts';
import { runIdempotent } from '../../src/payments/idempotency.ts';
import { testDomain } from '../support/domain.ts';

const parseStored = (body: unknown) =>
  typeof body === 'object' && body !== null && 'n' in body && typeof body.n === 'number'
    ? { n: body.n }
    : null;

function request(key: string | null, requestHash = 'hash-a') {
  return { scope: 'payment' as const, key, requestHash, parseStored };
}

describe('runIdempotent', () => {
  it('runs the work every time when the request has no key', async () => {
    const { deps, ledger } = testDomain();
    let runs = 0;
    const work = async () => ({ status: 201, body: { n: ++runs } });

    await runIdempotent(deps, request(null), work);
    const second = await runIdempotent(deps, request(null), work);

    assert.equal(runs, 2);
    assert.deepEqual(second, { status: 201, body: { n: 2 }, replayed: false });
    assert.equal(ledger.keys.size, 0);
  });

  it('replays the stored answer, marked as replayed, for the same key and body', async () => {
    const { deps } = testDomain();
    let runs = 0;
    const work = async () => ({ status: 201, body: { n: ++runs } });

    const first = await runIdempotent(deps, request('k1'), work);
    const second = await runIdempotent(deps, request('k1'), work);

    assert.equal(runs, 1);
    assert.deepEqual(first, { status: 201, body: { n: 1 }, replayed: false });
    assert.deepEqual(second, { status: 201, body: { n: 1 }, replayed: true });
  });

  it('answers 422 idempotency_key_reused for the same key with another body', async () => {
    const { deps } = testDomain();
    await runIdempotent(deps, request('k1', 'hash-a'), async () => ({
      status: 201,
      body: { n: 1 },
    }));

    await assert.rejects(
      runIdempotent(deps, request('k1', 'hash-b'), async () => ({ status: 201, body: { n: 2 } })),
      (error: AppError) => error.code === 'idempotency_key_reused' && error.status === 422,
    );
  });

  it('answers 409 idempotency_key_in_use while another request holds the key', async () => {
    const { deps } = testDomain();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = runIdempotent(deps, request('k1'), async () => {
      await held;
      return { status: 201, body: { n: 1 } };
    });

    await assert.rejects(
      runIdempotent(deps, request('k1'), async () => ({ status: 201, body: { n: 2 } })),
      (error: AppError) => error.code === 'idempotency_key_in_use' && error.status === 409,
    );
    release();
    assert.deepEqual((await first).body, { n: 1 });
  });

  it('stores a 4xx answer and replays it as the same error', async () => {
    const { deps } = testDomain();
    const declined = cardError('card_declined', {
      detail: 'Your card was declined.',
      fields: { declineCode: 'insufficient_funds', paymentIntentID: 'pi_1' },
    });
    let runs = 0;
    const work = async (): Promise<{ status: number; body: { n: number } }> => {
      runs += 1;
      throw declined;
    };

    await assert.rejects(runIdempotent(deps, request('k1'), work), (error) => error === declined);
    await assert.rejects(runIdempotent(deps, request('k1'), work), (error: AppError) => {
      assert.equal(error.code, 'card_declined');
      assert.equal(error.status, 402);
      assert.equal(error.detail, 'Your card was declined.');
      assert.deepEqual(error.fields, {
        declineCode: 'insufficient_funds',
        paymentIntentID: 'pi_1',
      });
      assert.equal(error.replayed, true);
      return true;
    });
    assert.equal(runs, 1);
  });

  it('releases the key after a 5xx so that a retry runs the work again', async () => {
    const { deps } = testDomain();
    let runs = 0;
    const work = async () => {
      runs += 1;
      if (runs === 1) throw appError('stripe_timeout');
      return { status: 201, body: { n: runs } };
    };

    await assert.rejects(runIdempotent(deps, request('k1'), work), { code: 'stripe_timeout' });
    const retried = await runIdempotent(deps, request('k1'), work);

    assert.equal(runs, 2);
    assert.deepEqual(retried, { status: 201, body: { n: 2 }, replayed: false });
  });

  it('releases the key after an unexpected exception', async () => {
    const { deps, ledger } = testDomain();
    await assert.rejects(
      runIdempotent(deps, request('k1'), async () => {
        throw new Error('database went away');
      }),
      /database went away/,
    );
    assert.equal(ledger.keys.size, 0);
  });

  it('lets a retry take over a key whose holder crashed, once the lease has run out', async () => {
    const { deps, ledger, clock } = testDomain();
    await ledger.claimIdempotencyKey({
      scope: 'payment',
      key: 'k1',
      requestHash: 'hash-a',
      now: clock.now(),
      leaseMs: deps.settings.leaseMs,
    });
    const work = async () => ({ status: 201, body: { n: 7 } });

    await assert.rejects(runIdempotent(deps, request('k1'), work), {
      code: 'idempotency_key_in_use',
    });
    clock.advance(deps.settings.leaseMs);
    const answer = await runIdempotent(deps, request('k1'), work);

    assert.deepEqual(answer.body, { n: 7 });
  });

  it('answers 500 when a stored answer no longer has the shape of the route', async () => {
    const { deps, ledger, clock } = testDomain();
    await ledger.claimIdempotencyKey({
      scope: 'payment',
      key: 'k1',
      requestHash: 'hash-a',
      now: clock.now(),
      leaseMs: 1000,
    });
    await ledger.completeIdempotencyKey({
      scope: 'payment',
      key: 'k1',
      status: 201,
      body: { unexpected: true },
      now: clock.now(),
    });

    await assert.rejects(
      runIdempotent(deps, request('k1'), async () => ({ status: 201, body: { n: 1 } })),
      (error) => error instanceof AppError && error.code === 'internal_error',
    );
  });
});
