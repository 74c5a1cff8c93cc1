import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createLedger } from '../../src/ledger/index.ts';
import { selectPayments } from '../../src/ledger/payments.ts';
import type { LedgerDatabase } from '../../src/ledger/schema.ts';
import type { Ledger, PaymentRecord } from '../../src/payments/ledger.ts';
import { backends } from './backends.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1_000);
}

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    id: `pi_${randomUUID()}`,
    customerId: 'cus_default',
    amount: 1_000,
    currency: 'usd',
    status: 'succeeded',
    created: T0,
    ...overrides,
  };
}

function uniqueCustomer(): string {
  return `cus_${randomUUID()}`;
}

for (const backend of backends('payments')) {
  describe(`${backend.name}: payments`, () => {
    let ledger: Ledger;
    let other: Ledger;

    before(async () => {
      ledger = await backend.open();
      other = await backend.open();
    });
    after(() => backend.dispose());

    describe('upsertPayments and listPayments', () => {
      it('answers what was written, with Dates and numbers', async () => {
        const customerId = uniqueCustomer();
        const written = payment({ customerId, amount: 99_999_999_999, created: at(1.5) });

        await ledger.upsertPayments([written]);
        const [read] = await other.listPayments(customerId);

        assert.deepEqual(read, written);
        assert.ok(read?.created instanceof Date);
        assert.equal(typeof read?.amount, 'number');
      });

      it('lists newest first, breaking ties of created by id descending', async () => {
        const customerId = uniqueCustomer();
        const ids = ['pi_a', 'pi_c', 'pi_b', 'pi_d', 'pi_e'].map((id) => `${id}_${customerId}`);
        const [a = '', c = '', b = '', d = '', e = ''] = ids;
        await ledger.upsertPayments([
          payment({ id: a, customerId, created: at(10) }),
          payment({ id: c, customerId, created: at(20) }),
          payment({ id: b, customerId, created: at(20) }),
          payment({ id: d, customerId, created: at(5) }),
          payment({ id: e, customerId, created: at(30) }),
        ]);

        const listed = await ledger.listPayments(customerId);

        assert.deepEqual(
          listed.map((p) => p.id),
          [e, c, b, a, d],
        );
      });

      it('filters by status', async () => {
        const customerId = uniqueCustomer();
        const failed = payment({ customerId, status: 'requires_payment_method', created: at(1) });
        const succeeded = payment({ customerId, status: 'succeeded', created: at(2) });
        await ledger.upsertPayments([failed, succeeded]);

        assert.deepEqual(await ledger.listPayments(customerId, 'requires_payment_method'), [
          failed,
        ]);
        assert.deepEqual(await ledger.listPayments(customerId, 'succeeded'), [succeeded]);
        assert.deepEqual(await ledger.listPayments(customerId, 'canceled'), []);
      });

      it('answers an empty list for a customer without payments', async () => {
        assert.deepEqual(await ledger.listPayments(uniqueCustomer()), []);
      });

      it('accepts an empty batch', async () => {
        await ledger.upsertPayments([]);
      });

      it('lists only the customer asked for', async () => {
        const mine = payment({ customerId: uniqueCustomer() });
        await ledger.upsertPayments([mine, payment({ customerId: uniqueCustomer() })]);

        assert.deepEqual(await ledger.listPayments(mine.customerId), [mine]);
      });

      it('writes and lists a history of 10,000 payments in order', async () => {
        const customerId = uniqueCustomer();
        const history = Array.from({ length: 10_000 }, (_, i) =>
          payment({
            id: `pi_${String(i).padStart(5, '0')}_${customerId}`,
            customerId,
            created: at(i),
          }),
        );

        await ledger.upsertPayments(history);
        const listed = await ledger.listPayments(customerId);

        assert.equal(listed.length, 10_000);
        assert.deepEqual(listed[0], history[9_999]);
        assert.deepEqual(listed[9_999], history[0]);
        assert.ok(
          listed.every((p, i) => i === 0 || (listed[i - 1]?.created ?? p.created) > p.created),
        );
      });
    });

    describe('status rank', () => {
      it('never moves a status backwards, but takes amount, currency and created from the newest write', async () => {
        const first = payment({
          customerId: uniqueCustomer(),
          status: 'succeeded',
          created: at(1),
        });
        await ledger.upsertPayments([first]);

        const stale = {
          ...first,
          status: 'processing',
          amount: 2_000,
          currency: 'eur',
          created: at(2),
        };
        await other.upsertPayments([stale]);

        assert.deepEqual(await ledger.listPayments(first.customerId), [
          { ...stale, status: 'succeeded' },
        ]);
      });

      it('moves a status forwards through the ranks', async () => {
        const first = payment({ customerId: uniqueCustomer(), status: 'requires_payment_method' });
        await ledger.upsertPayments([first]);

        await ledger.upsertPayments([{ ...first, status: 'requires_action' }]);
        const middle = await ledger.listPayments(first.customerId);
        await ledger.upsertPayments([{ ...first, status: 'succeeded' }]);
        const last = await ledger.listPayments(first.customerId);

        assert.equal(middle[0]?.status, 'requires_action');
        assert.equal(last[0]?.status, 'succeeded');
      });

      it('takes the newest of two statuses of equal rank', async () => {
        const first = payment({ customerId: uniqueCustomer(), status: 'canceled' });
        await ledger.upsertPayments([first]);

        await ledger.upsertPayments([{ ...first, status: 'succeeded' }]);

        assert.equal((await ledger.listPayments(first.customerId))[0]?.status, 'succeeded');
      });

      it('keeps a known status over an unknown one, which ranks lowest', async () => {
        const first = payment({ customerId: uniqueCustomer(), status: 'requires_payment_method' });
        await ledger.upsertPayments([first]);

        await ledger.upsertPayments([{ ...first, status: 'some_future_status' }]);

        assert.equal(
          (await ledger.listPayments(first.customerId))[0]?.status,
          'requires_payment_method',
        );
      });

      it('applies the rule within one batch that names a payment twice', async () => {
        const first = payment({ customerId: uniqueCustomer(), status: 'succeeded', amount: 1 });

        await ledger.upsertPayments([first, { ...first, status: 'processing', amount: 2 }]);

        assert.deepEqual(await ledger.listPayments(first.customerId), [
          { ...first, status: 'succeeded', amount: 2 },
        ]);
      });
    });

    describe('syncCursor', () => {
      it('answers null for a customer without payments', async () => {
        assert.equal(await ledger.syncCursor(uniqueCustomer()), null);
      });

      it('answers the newest payment when every payment is final', async () => {
        const customerId = uniqueCustomer();
        await ledger.upsertPayments([
          payment({ customerId, created: at(1) }),
          payment({ customerId, created: at(3), status: 'canceled' }),
          payment({ customerId: uniqueCustomer(), created: at(9) }),
        ]);
        assert.deepEqual(await ledger.syncCursor(customerId), at(3));
      });

      it('answers the oldest payment that can still change, however old', async () => {
        const customerId = uniqueCustomer();
        await ledger.upsertPayments([
          payment({ customerId, created: at(1) }),
          payment({ customerId, created: at(2), status: 'requires_payment_method' }),
          payment({ customerId, created: at(4), status: 'requires_action' }),
          payment({ customerId, created: at(5) }),
        ]);
        assert.deepEqual(await ledger.syncCursor(customerId), at(2));

        // Once that payment succeeds, the next open one holds the cursor.
        const open = (await ledger.listPayments(customerId, 'requires_payment_method'))[0];
        assert.ok(open !== undefined);
        await ledger.upsertPayments([{ ...open, status: 'succeeded' }]);
        assert.deepEqual(await ledger.syncCursor(customerId), at(4));
      });
    });

    describe('sync state', () => {
      it('answers null for a customer never synced', async () => {
        assert.equal(await ledger.getSyncState(uniqueCustomer()), null);
      });

      it('answers the state last set', async () => {
        const customerId = uniqueCustomer();
        await ledger.setSyncState({ customerId, syncedAt: at(1) });
        await ledger.setSyncState({ customerId, syncedAt: at(2) });

        assert.deepEqual(await other.getSyncState(customerId), { customerId, syncedAt: at(2) });
      });

      it('keeps the newer time when an older sync finishes last', async () => {
        const customerId = uniqueCustomer();
        await ledger.setSyncState({ customerId, syncedAt: at(5) });

        await other.setSyncState({ customerId, syncedAt: at(3) });

        assert.deepEqual(await ledger.getSyncState(customerId), { customerId, syncedAt: at(5) });
      });
    });
  });
}

describe('sqlite: history query plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-plan-'));
  const sqliteFile = join(dir, 'ledger.sqlite');
  let ledger: Ledger;
  let inspector: Database.Database;
  let compiler: Kysely<LedgerDatabase>;

  before(async () => {
    ledger = await createLedger({ sqliteFile });
    inspector = new Database(sqliteFile, { readonly: true });
    compiler = new Kysely<LedgerDatabase>({ dialect: new SqliteDialect({ database: inspector }) });
  });
  after(async () => {
    await compiler.destroy();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** SQLite's plan for the exact statement `listPayments` runs. */
  function plan(status?: string): string {
    const { sql, parameters } = selectPayments(compiler, 'cus_plan', status).compile();
    return inspector
      .prepare(`explain query plan ${sql}`)
      .all(...parameters)
      .map((row) => JSON.stringify(row))
      .join('\n');
  }

  it('reads a history through the customer and created index, without sorting', () => {
    const text = plan();
    assert.match(text, /payments_customer_created_idx/);
    assert.doesNotMatch(text, /TEMP B-TREE/);
  });

  it('uses the same index when filtering by status', () => {
    const text = plan('succeeded');
    assert.match(text, /payments_customer_created_idx/);
    assert.doesNotMatch(text, /TEMP B-TREE/);
  });
});
