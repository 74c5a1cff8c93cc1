import type { Ledger } from '../payments/ledger.ts';
import { isPostgresUrl, type OpenedDatabase, openPostgres, openSqlite } from './database.ts';
import { createKyselyLedger } from './kysely-ledger.ts';
import { migratePostgres, migrateSqlite } from './migrate.ts';

/** Where the embedded ledger lives when nothing else is configured. */
export const DEFAULT_SQLITE_FILE = 'data/ledger.sqlite';

export interface LedgerOptions {
  /** `postgres://` or `postgresql://` selects PostgreSQL; absent selects SQLite. */
  databaseUrl?: string;
  /** The SQLite file (its folder is created); `':memory:'` for tests. */
  sqliteFile?: string;
  /** PostgreSQL only: every table goes in this schema, created if missing. */
  schema?: string;
}

/**
 * Opens the ledger and brings its tables up to date before answering, so a process that got a
 * ledger can use it at once. Safe when several processes start together on one PostgreSQL.
 *
 * @throws when the URL is not a PostgreSQL one, `schema` is given for SQLite, or a migration fails
 *   (the connection is closed first).
 */
export async function createLedger(options: LedgerOptions): Promise<Ledger> {
  const opened = open(options);
  try {
    if (opened.dialect === 'postgres') {
      await migratePostgres(opened.root, opened.schema);
    } else {
      await migrateSqlite(opened.root);
    }
  } catch (error) {
    await opened.root.destroy();
    throw error;
  }
  return createKyselyLedger(opened.db, opened.root);
}

function open(options: LedgerOptions): OpenedDatabase {
  if (options.databaseUrl !== undefined) {
    if (!isPostgresUrl(options.databaseUrl)) {
      throw new Error('ledger: databaseUrl must start with postgres:// or postgresql://');
    }
    return openPostgres(options.databaseUrl, options.schema);
  }
  if (options.schema !== undefined) {
    throw new Error('ledger: schema applies to PostgreSQL only');
  }
  return openSqlite(options.sqliteFile ?? DEFAULT_SQLITE_FILE);
}

export type { Ledger } from '../payments/ledger.ts';
