import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type OpenedDatabase, openPostgres, openSqlite } from '../../src/ledger/database.ts';
import { createLedger, type LedgerOptions } from '../../src/ledger/index.ts';
import { MIGRATION_NAMES } from '../../src/ledger/migrations.ts';
import type { PaymentRecord } from '../../src/payments/ledger.ts';
import { dropSchema, uniqueSchemaName } from './backends.ts';

const A_PAYMENT: PaymentRecord = {
  id: 'pi_persisted',
  customerId: 'cus_persisted',
  amount: 500,
  currency: 'usd',
  status: 'succeeded',
  created: new Date('2030-01-01T00:00:00.000Z'),
};

/** The migration names Kysely recorded, in order; closes the handle. */
async function recordedMigrations(opened: OpenedDatabase): Promise<string[]> {
  const base = opened.root.withTables<{ kysely_migration: { name: string } }>();
  const db = opened.schema === undefined ? base : base.withSchema(opened.schema);
  try {
    const rows = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
    return rows.map((row) => row.name);
  } finally {
    await opened.root.destroy();
  }
}

/** Creates a ledger, writes a payment, closes; creates it again and reads the payment back. */
async function assertReopenKeepsData(options: LedgerOptions): Promise<void> {
  const first = await createLedger(options);
  await first.upsertPayments([A_PAYMENT]);
  await first.close();

  const second = await createLedger(options);
  try {
    assert.deepEqual(await second.listPayments(A_PAYMENT.customerId), [A_PAYMENT]);
  } finally {
    await second.close();
  }
}

describe('createLedger on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-index-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the missing folder of the file', async () => {
    const sqliteFile = join(dir, 'nested', 'deeper', 'ledger.sqlite');

    const ledger = await createLedger({ sqliteFile });
    await ledger.close();

    assert.ok(existsSync(sqliteFile));
  });

  it('opens an existing file again without migrating twice, keeping its data', async () => {
    const sqliteFile = join(dir, 'reopen.sqlite');

    await assertReopenKeepsData({ sqliteFile });

    assert.deepEqual(await recordedMigrations(openSqlite(sqliteFile)), [...MIGRATION_NAMES]);
  });

  it('migrates once when several ledgers open a new file at the same time', async () => {
    const sqliteFile = join(dir, 'concurrent.sqlite');

    const ledgers = await Promise.all([1, 2, 3].map(() => createLedger({ sqliteFile })));
    await Promise.all(ledgers.map((ledger) => ledger.close()));

    assert.deepEqual(await recordedMigrations(openSqlite(sqliteFile)), [...MIGRATION_NAMES]);
  });

  it('keeps each in-memory ledger to itself', async () => {
    const one = await createLedger({ sqliteFile: ':memory:' });
    const two = await createLedger({ sqliteFile: ':memory:' });
    try {
      await one.upsertPayments([A_PAYMENT]);

      assert.deepEqual(await one.listPayments(A_PAYMENT.customerId), [A_PAYMENT]);
      assert.deepEqual(await two.listPayments(A_PAYMENT.customerId), []);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('answers ping while open and rejects it once closed', async () => {
    const ledger = await createLedger({ sqliteFile: ':memory:' });

    await ledger.ping();
    await ledger.close();

    await assert.rejects(ledger.ping());
  });

  it('refuses a schema, which only PostgreSQL has', async () => {
    await assert.rejects(createLedger({ sqliteFile: ':memory:', schema: 'x' }), /PostgreSQL only/);
  });

  it('refuses a database URL that is not PostgreSQL', async () => {
    await assert.rejects(createLedger({ databaseUrl: 'mysql://localhost/x' }), /postgres:\/\//);
  });
});

const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl !== undefined && databaseUrl !== '') {
  describe('createLedger on PostgreSQL', () => {
    const schemas: string[] = [];
    function freshSchema(): string {
      const schema = uniqueSchemaName('index');
      schemas.push(schema);
      return schema;
    }
    after(async () => {
      for (const schema of schemas) {
        await dropSchema(databaseUrl, schema);
      }
    });

    it('creates a missing schema and opens it again without migrating twice', async () => {
      const schema = freshSchema();

      await assertReopenKeepsData({ databaseUrl, schema });

      const opened = openPostgres(databaseUrl, schema);
      assert.deepEqual(await recordedMigrations(opened), [...MIGRATION_NAMES]);
    });

    it('migrates once when several processes start on a new schema at the same time', async () => {
      const schema = freshSchema();

      const ledgers = await Promise.all(
        [1, 2, 3, 4].map(() => createLedger({ databaseUrl, schema })),
      );
      await ledgers[0]?.upsertPayments([A_PAYMENT]);
      const seen = await Promise.all(ledgers.map((l) => l.listPayments(A_PAYMENT.customerId)));
      await Promise.all(ledgers.map((ledger) => ledger.close()));

      assert.deepEqual(seen, [[A_PAYMENT], [A_PAYMENT], [A_PAYMENT], [A_PAYMENT]]);
      const opened = openPostgres(databaseUrl, schema);
      assert.deepEqual(await recordedMigrations(opened), [...MIGRATION_NAMES]);
    });

    it('keeps two schemas of one database apart', async () => {
      const one = await createLedger({ databaseUrl, schema: freshSchema() });
      const two = await createLedger({ databaseUrl, schema: freshSchema() });
      try {
        await one.upsertPayments([A_PAYMENT]);

        assert.deepEqual(await two.listPayments(A_PAYMENT.customerId), []);
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    });

    it('answers ping while open and rejects it once closed', async () => {
      const ledger = await createLedger({ databaseUrl, schema: freshSchema() });

      await ledger.ping();
      await ledger.close();

      await assert.rejects(ledger.ping());
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await assert.rejects(
        createLedger({ databaseUrl, schema: 'bad"; drop table x; --' }),
        /plain identifier/,
      );
    });
  });
}
