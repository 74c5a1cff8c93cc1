import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { LedgerDatabase } from '../../src/ledger/schema.ts';
import type { Ledger, PaymentAttempt } from '../../src/payments/ledger.ts';
import { backends } from './backends.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:01:00.000Z');
const T2 = new Date('2030-01-01T00:02:00.000Z');

function pendingAttempt(overrides: Partial<PaymentAttempt> = {}): PaymentAttempt {
  const id = randomUUID();
  return {
    id,
    customerId: 'cus_attempts',
    amount: 1_250,
    currency: 'usd',
    stripeIdempotencyKey: `payment:${id}`,
    status: 'pending',
    paymentIntentId: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

for (const backend of backends('attempts')) {
  describe(`${backend.name}: payment attempts`, () => {
    let ledger: Ledger;
    let raw: Kysely<LedgerDatabase>;

    before(async () => {
      ledger = await backend.open();
      raw = backend.raw();
    });
    after(() => backend.dispose());

    async function stored(id: string) {
      return raw
        .selectFrom('payment_attempts')
        .select(['status', 'payment_intent_id', 'updated_at'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    }

    describe('insertAttempt', () => {
      it('refuses a second attempt with the same id', async () => {
        const attempt = pendingAttempt();
        await ledger.insertAttempt(attempt);

        await assert.rejects(ledger.insertAttempt({ ...attempt, amount: 99 }));
      });
    });

    describe('resolveAttempt', () => {
      it('records the PaymentIntent and the time on a pending attempt', async () => {
        const attempt = pendingAttempt();
        await ledger.insertAttempt(attempt);

        await ledger.resolveAttempt(attempt.id, {
          status: 'recorded',
          paymentIntentId: 'pi_recorded',
          now: T1,
        });

        assert.deepEqual(await stored(attempt.id), {
          status: 'recorded',
          payment_intent_id: 'pi_recorded',
          updated_at: T1.getTime(),
        });
      });

      it('marks a pending attempt failed', async () => {
        const attempt = pendingAttempt();
        await ledger.insertAttempt(attempt);

        await ledger.resolveAttempt(attempt.id, {
          status: 'failed',
          paymentIntentId: null,
          now: T1,
        });

        assert.deepEqual(await stored(attempt.id), {
          status: 'failed',
          payment_intent_id: null,
          updated_at: T1.getTime(),
        });
      });

      it('never lets failed hide a recorded attempt', async () => {
        const attempt = pendingAttempt();
        await ledger.insertAttempt(attempt);
        await ledger.resolveAttempt(attempt.id, {
          status: 'recorded',
          paymentIntentId: 'pi_kept',
          now: T1,
        });

        await ledger.resolveAttempt(attempt.id, {
          status: 'failed',
          paymentIntentId: null,
          now: T2,
        });

        assert.deepEqual(await stored(attempt.id), {
          status: 'recorded',
          payment_intent_id: 'pi_kept',
          updated_at: T1.getTime(),
        });
      });

      it('records an attempt the sweeper had marked failed when its PaymentIntent turns up', async () => {
        const attempt = pendingAttempt();
        await ledger.insertAttempt(attempt);
        await ledger.resolveAttempt(attempt.id, {
          status: 'failed',
          paymentIntentId: null,
          now: T1,
        });

        await ledger.resolveAttempt(attempt.id, {
          status: 'recorded',
          paymentIntentId: 'pi_late',
          now: T2,
        });

        assert.deepEqual(await stored(attempt.id), {
          status: 'recorded',
          payment_intent_id: 'pi_late',
          updated_at: T2.getTime(),
        });
      });

      it('keeps a known PaymentIntent id when resolved with null', async () => {
        const attempt = pendingAttempt({ paymentIntentId: 'pi_known' });
        await ledger.insertAttempt(attempt);

        await ledger.resolveAttempt(attempt.id, {
          status: 'failed',
          paymentIntentId: null,
          now: T1,
        });

        assert.equal((await stored(attempt.id)).payment_intent_id, 'pi_known');
      });

      it('does nothing for an unknown attempt id', async () => {
        await ledger.resolveAttempt(randomUUID(), {
          status: 'failed',
          paymentIntentId: null,
          now: T1,
        });
      });
    });

    describe('countPendingAttempts', () => {
      it('counts pending attempts only', async () => {
        const before = await ledger.countPendingAttempts();
        const resolved = pendingAttempt();
        await ledger.insertAttempt(pendingAttempt());
        await ledger.insertAttempt(pendingAttempt());
        await ledger.insertAttempt(resolved);
        await ledger.resolveAttempt(resolved.id, {
          status: 'failed',
          paymentIntentId: null,
          now: T1,
        });

        assert.equal(await ledger.countPendingAttempts(), before + 2);
      });
    });

    describe('listPendingAttempts', () => {
      // A time range of its own, before every other test's attempts.
      const base = new Date('2001-01-01T00:00:00.000Z').getTime();
      const at = (minutes: number) => new Date(base + minutes * 60_000);

      it('answers pending attempts touched before the cutoff, oldest first, with every field', async () => {
        const newest = pendingAttempt({ createdAt: at(0), updatedAt: at(3) });
        const oldest = pendingAttempt({ createdAt: at(0), updatedAt: at(1) });
        const middle = pendingAttempt({ createdAt: at(0), updatedAt: at(2), amount: 50 });
        const tooRecent = pendingAttempt({ createdAt: at(0), updatedAt: at(10) });
        const resolved = pendingAttempt({ createdAt: at(0), updatedAt: at(1) });
        for (const attempt of [newest, oldest, middle, tooRecent, resolved]) {
          await ledger.insertAttempt(attempt);
        }
        await ledger.resolveAttempt(resolved.id, {
          status: 'recorded',
          paymentIntentId: 'pi_done',
          now: at(1),
        });

        const pending = await ledger.listPendingAttempts(at(10), 10);

        assert.deepEqual(pending, [oldest, middle, newest]);
        assert.ok(pending.every((attempt) => attempt.createdAt instanceof Date));
        assert.ok(pending.every((attempt) => typeof attempt.amount === 'number'));
      });

      it('answers at most limit attempts', async () => {
        const pending = await ledger.listPendingAttempts(at(10), 2);

        assert.equal(pending.length, 2);
        assert.deepEqual(
          pending.map((attempt) => attempt.updatedAt),
          [at(1), at(2)],
        );
      });

      it('answers an empty list when nothing is older than the cutoff', async () => {
        assert.deepEqual(await ledger.listPendingAttempts(at(-1_000_000), 10), []);
      });
    });
  });
}
