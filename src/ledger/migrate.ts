import { setTimeout } from 'node:timers/promises';
import { type Kysely, Migrator, sql } from 'kysely';
import { SQLITE_BUSY_TIMEOUT_MS } from './database.ts';
import { migrationProvider } from './migrations.ts';
import type { LedgerDatabase } from './schema.ts';

/**
 * Brings a PostgreSQL database (optionally one schema of it) up to date. Several processes may
 * start at once: a session-level advisory lock, keyed by the schema, makes them migrate one after
 * the other, and it is taken before the schema and Kysely's own bookkeeping tables are created,
 * because those `CREATE ... IF NOT EXISTS` statements can still collide when run concurrently.
 */
export async function migratePostgres(
  db: Kysely<LedgerDatabase>,
  schema: string | undefined,
): Promise<void> {
  const lockName = `payments-ledger-migrations:${schema ?? 'public'}`;

  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${lockName}))`.execute(conn);
    try {
      if (schema !== undefined) {
        await conn.schema.createSchema(schema).ifNotExists().execute();
      }
      await runMigrator(schema === undefined ? conn : conn.withSchema(schema), schema);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockName}))`.execute(conn);
    }
  });
}

/**
 * Brings a SQLite database up to date. Kysely runs SQLite migrations outside a transaction and
 * without a lock; wrapping them in `BEGIN IMMEDIATE` makes them atomic and makes a second ledger
 * on the same file wait until the first is done.
 */
export async function migrateSqlite(db: Kysely<LedgerDatabase>): Promise<void> {
  await db.connection().execute(async (conn) => {
    await beginImmediate(conn);
    try {
      await runMigrator(conn, undefined);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

/** How long a ledger waits for another one on the same SQLite file to finish migrating. */
const SQLITE_MIGRATION_WAIT_MS = 30_000;
const SQLITE_RETRY_MS = 25;

/**
 * Takes SQLite's write lock, waiting asynchronously. better-sqlite3's busy timeout waits by
 * blocking the thread, which would stall a second ledger opened in the same process (tests do
 * that) while the first one, on the same thread, could never finish and let go of the lock.
 */
async function beginImmediate(conn: Kysely<LedgerDatabase>): Promise<void> {
  const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS;

  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    for (;;) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (error) {
        if (!isSqliteBusy(error) || Date.now() > deadline) {
          throw error;
        }
      }
      await setTimeout(SQLITE_RETRY_MS);
    }
  } finally {
    await sql`pragma busy_timeout = ${sql.lit(SQLITE_BUSY_TIMEOUT_MS)}`.execute(conn);
  }
}

function isSqliteBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY';
}

async function runMigrator(db: Kysely<LedgerDatabase>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`ledger: migration ${failed ?? '(setup)'} failed`, { cause: error });
  }
}
