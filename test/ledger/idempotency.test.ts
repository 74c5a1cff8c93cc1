import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ClaimIdempotencyInput, Ledger } from '../../src/payments/ledger.ts';
import { backends } from './backends.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const LEASE_MS = 30_000;

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function claimInput(key: string, overrides: Partial<ClaimIdempotencyInput> = {}) {
  return {
    scope: 'payment',
    key,
    requestHash: 'hash-a',
    now: T0,
    leaseMs: LEASE_MS,
    ...overrides,
  } satisfies ClaimIdempotencyInput;
}

for (const backend of backends('idempotency')) {
  describe(`${backend.name}: idempotency keys`, () => {
    let ledger: Ledger;
    let other: Ledger;

    before(async () => {
      ledger = await backend.open();
      other = await backend.open();
    });
    after(() => backend.dispose());

    describe('claimIdempotencyKey', () => {
      it('claims a key that was never used', async () => {
        assert.deepEqual(await ledger.claimIdempotencyKey(claimInput(randomUUID())), {
          outcome: 'claimed',
        });
      });

      it('answers in_progress to the same body while the holder lease runs', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        const second = await other.claimIdempotencyKey(claimInput(key, { now: at(LEASE_MS - 1) }));

        assert.deepEqual(second, { outcome: 'in_progress' });
      });

      it('answers mismatch to a different body while the key is held', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        const second = await ledger.claimIdempotencyKey(claimInput(key, { requestHash: 'hash-b' }));

        assert.deepEqual(second, { outcome: 'mismatch' });
      });

      it('replays the stored status and nested JSON body once completed', async () => {
        const key = randomUUID();
        const body = {
          paymentIntentID: 'pi_123',
          nested: { list: [1, 'two', { three: null }], flag: false, amount: 99_999_999 },
          text: 'Zürich ✓ "quoted"',
          zeta: 1,
          alpha: 2,
        };
        await ledger.claimIdempotencyKey(claimInput(key));
        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 201,
          body,
          now: at(5),
        });

        const replay = await other.claimIdempotencyKey(claimInput(key, { now: at(10) }));

        assert.deepEqual(replay, { outcome: 'replay', status: 201, body });
        assert.ok(replay.outcome === 'replay');
        // Key order survives too: a replay is the same document, byte for byte once serialized.
        assert.equal(JSON.stringify(replay.body), JSON.stringify(body));
      });

      it('replays an error answer with its status', async () => {
        const key = randomUUID();
        const body = { type: 'about:blank', code: 'card_declined', status: 402 };
        await ledger.claimIdempotencyKey(claimInput(key));
        await ledger.completeIdempotencyKey({ scope: 'payment', key, status: 402, body, now: T0 });

        assert.deepEqual(await ledger.claimIdempotencyKey(claimInput(key)), {
          outcome: 'replay',
          status: 402,
          body,
        });
      });

      it('answers mismatch to a different body once completed', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));
        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 201,
          body: {},
          now: T0,
        });

        const second = await ledger.claimIdempotencyKey(claimInput(key, { requestHash: 'hash-b' }));

        assert.deepEqual(second, { outcome: 'mismatch' });
      });

      it('lets the same body take over a key whose lease expired, renewing the lease', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        const takeover = await other.claimIdempotencyKey(claimInput(key, { now: at(LEASE_MS) }));
        const afterTakeover = await ledger.claimIdempotencyKey(
          claimInput(key, { now: at(LEASE_MS + 1) }),
        );

        assert.deepEqual(takeover, { outcome: 'claimed' });
        assert.deepEqual(afterTakeover, { outcome: 'in_progress' });
      });

      it('answers mismatch to a different body even when the lease expired', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        const second = await ledger.claimIdempotencyKey(
          claimInput(key, { requestHash: 'hash-b', now: at(LEASE_MS * 10) }),
        );

        assert.deepEqual(second, { outcome: 'mismatch' });
      });

      it('keeps the first answer when a taken-over holder completes late', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));
        await other.claimIdempotencyKey(claimInput(key, { now: at(LEASE_MS) }));
        await other.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 201,
          body: { by: 'second' },
          now: at(LEASE_MS + 1),
        });

        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 500,
          body: { by: 'first' },
          now: at(LEASE_MS + 2),
        });

        assert.deepEqual(
          await ledger.claimIdempotencyKey(claimInput(key, { now: at(LEASE_MS * 2) })),
          {
            outcome: 'replay',
            status: 201,
            body: { by: 'second' },
          },
        );
      });

      it('frees a released key so the next request claims it, even with another body', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        await ledger.releaseIdempotencyKey('payment', key);

        assert.deepEqual(
          await other.claimIdempotencyKey(claimInput(key, { requestHash: 'hash-b' })),
          {
            outcome: 'claimed',
          },
        );
      });

      it('keeps replaying a completed key after release is called on it', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));
        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 201,
          body: [1],
          now: T0,
        });

        await ledger.releaseIdempotencyKey('payment', key);

        assert.deepEqual(await ledger.claimIdempotencyKey(claimInput(key)), {
          outcome: 'replay',
          status: 201,
          body: [1],
        });
      });

      it('stores an undefined body as null', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));
        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key,
          status: 204,
          body: undefined,
          now: T0,
        });

        assert.deepEqual(await ledger.claimIdempotencyKey(claimInput(key)), {
          outcome: 'replay',
          status: 204,
          body: null,
        });
      });

      it('treats the same key in the two scopes as unrelated', async () => {
        const key = randomUUID();

        const payment = await ledger.claimIdempotencyKey(claimInput(key, { scope: 'payment' }));
        const customer = await ledger.claimIdempotencyKey(
          claimInput(key, { scope: 'customer', requestHash: 'hash-b' }),
        );

        assert.deepEqual([payment, customer], [{ outcome: 'claimed' }, { outcome: 'claimed' }]);
      });

      it('gives exactly one of 20 concurrent claims from two instances the key', async () => {
        const key = randomUUID();

        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? ledger : other).claimIdempotencyKey(claimInput(key)),
          ),
        );

        const outcomes = claims.map((claim) => claim.outcome).sort();
        assert.deepEqual(outcomes, ['claimed', ...Array(19).fill('in_progress')]);
      });

      it('gives exactly one of 20 concurrent takeovers of an expired lease the key', async () => {
        const key = randomUUID();
        await ledger.claimIdempotencyKey(claimInput(key));

        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? ledger : other).claimIdempotencyKey(
              claimInput(key, { now: at(LEASE_MS + i) }),
            ),
          ),
        );

        const outcomes = claims.map((claim) => claim.outcome).sort();
        assert.deepEqual(outcomes, ['claimed', ...Array(19).fill('in_progress')]);
      });
    });

    describe('purgeIdempotencyKeys', () => {
      it('removes the keys created before the cutoff and answers how many went', async () => {
        // Far older than every other test's keys, so the count is this test's alone.
        const old = new Date('2001-01-01T00:00:00.000Z');
        const cutoff = new Date('2001-01-02T00:00:00.000Z');
        const oldKeys = [randomUUID(), randomUUID()];
        const keptKey = randomUUID();
        for (const key of oldKeys) {
          await ledger.claimIdempotencyKey(claimInput(key, { now: old }));
        }
        await ledger.completeIdempotencyKey({
          scope: 'payment',
          key: oldKeys[0] ?? '',
          status: 201,
          body: {},
          now: old,
        });
        await ledger.claimIdempotencyKey(claimInput(keptKey, { now: cutoff }));

        const purged = await ledger.purgeIdempotencyKeys(cutoff);

        assert.equal(purged, 2);
        // A purged completed key is gone: the same key now starts afresh, with any body.
        assert.deepEqual(
          await ledger.claimIdempotencyKey(claimInput(oldKeys[0] ?? '', { requestHash: 'other' })),
          { outcome: 'claimed' },
        );
        assert.deepEqual(await ledger.claimIdempotencyKey(claimInput(keptKey, { now: cutoff })), {
          outcome: 'in_progress',
        });
      });

      it('answers 0 when nothing is older than the cutoff', async () => {
        assert.equal(await ledger.purgeIdempotencyKeys(new Date('1990-01-01T00:00:00.000Z')), 0);
      });
    });
  });
}
