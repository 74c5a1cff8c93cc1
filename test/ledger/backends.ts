import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openPostgres, openSqlite } from '../../src/ledger/database.ts';
import { createLedger, type Ledger } from '../../src/ledger/index.ts';
import type { LedgerDatabase } from '../../src/ledger/schema.ts';

/**
 * One database the contract suite runs against. `open` makes a new Ledger instance on that same
 * database each time (a second API process, in effect); `raw` a plain Kysely handle on it, for
 * looking at rows the port does not expose. `dispose` closes everything and removes the database.
 */
export interface Backend {
  name: string;
  open(): Promise<Ledger>;
  raw(): Kysely<LedgerDatabase>;
  dispose(): Promise<void>;
}

/** SQLite on a temp file always; PostgreSQL in a fresh schema when DATABASE_URL is set. */
export function backends(label: string): Backend[] {
  const list = [sqliteBackend(label)];
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    list.push(postgresBackend(label, databaseUrl));
  }
  return list;
}

function sqliteBackend(label: string): Backend {
  const dir = mkdtempSync(join(tmpdir(), `ledger-${label}-`));
  // A folder that does not exist yet: createLedger must make it.
  const sqliteFile = join(dir, 'data', 'ledger.sqlite');
  return tracked(
    'sqlite',
    () => createLedger({ sqliteFile }),
    () => openSqlite(sqliteFile).db,
    {
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    },
  );
}

function postgresBackend(label: string, databaseUrl: string): Backend {
  const schema = uniqueSchemaName(label);
  return tracked(
    'postgres',
    () => createLedger({ databaseUrl, schema }),
    () => openPostgres(databaseUrl, schema).db,
    { cleanup: () => dropSchema(databaseUrl, schema) },
  );
}

/** A schema name no other test file or run uses. */
export function uniqueSchemaName(label: string): string {
  return `ledger_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const { root } = openPostgres(databaseUrl, undefined);
  try {
    await root.schema.dropSchema(schema).ifExists().cascade().execute();
  } finally {
    await root.destroy();
  }
}

function tracked(
  name: string,
  create: () => Promise<Ledger>,
  openRaw: () => Kysely<LedgerDatabase>,
  { cleanup }: { cleanup: () => Promise<void> },
): Backend {
  const ledgers: Ledger[] = [];
  const raws: Kysely<LedgerDatabase>[] = [];
  return {
    name,
    async open() {
      const ledger = await create();
      ledgers.push(ledger);
      return ledger;
    },
    raw() {
      const db = openRaw();
      raws.push(db);
      return db;
    },
    async dispose() {
      await Promise.all([...ledgers.map((l) => l.close()), ...raws.map((db) => db.destroy())]);
      await cleanup();
    },
  };
}
