import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { LedgerDatabase } from './schema.ts';

/** How long a SQLite writer waits for another connection's lock before giving up. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** PostgreSQL identifiers are at most 63 bytes; a plain name keeps quoting questions away. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export type LedgerDialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  dialect: LedgerDialect;
  /** Unscoped: the migrations decide themselves where tables go. */
  root: Kysely<LedgerDatabase>;
  /** Every query of the ledger goes through this one: scoped to `schema` when there is one. */
  db: Kysely<LedgerDatabase>;
  schema: string | undefined;
}

/** True for the URLs that select PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

export function openPostgres(databaseUrl: string, schema: string | undefined): OpenedDatabase {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error('ledger: schema must be a plain identifier (letters, digits, underscore)');
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, types: postgresTypes() });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The pool drops the client, and the next query reports the failure.
  pool.on('error', () => {});

  const root = new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) });
  const db = schema === undefined ? root : root.withSchema(schema);
  return { dialect: 'postgres', root, db, schema };
}

export function openSqlite(file: string): OpenedDatabase {
  const inMemory = file === ':memory:';
  if (!inMemory) {
    mkdirSync(dirname(file), { recursive: true });
  }
  const database = new Database(file);
  if (!inMemory) {
    // WAL lets readers proceed while one writer writes; the busy timeout makes a second writer
    // (another process on the same file) wait instead of failing at once.
    database.pragma('journal_mode = WAL');
  }
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);

  const dialect = new SqliteDialect({ database: withStatementCache(database) });
  const root = new Kysely<LedgerDatabase>({ dialect });
  return { dialect: 'sqlite', root, db: root, schema: undefined };
}

/** Distinct SQL texts the ledger issues are a few dozen; the bound keeps a mistake from leaking. */
const STATEMENT_CACHE_LIMIT = 500;

/**
 * Kysely's SQLite driver prepares every query afresh, and preparing costs about as much as running
 * the ledger's small statements (a charge makes five). better-sqlite3 statements are reusable, and
 * the ledger's SQL texts repeat with only their parameters changing, so each text is prepared once.
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size < STATEMENT_CACHE_LIMIT) statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * pg answers `bigint` columns as strings (they can exceed 2^53). The ledger's bigints are
 * millisecond timestamps and amounts, far below that, so they are parsed to numbers, for this
 * pool only (the process-wide `pg.types` stays untouched).
 */
function postgresTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  return types;
}
