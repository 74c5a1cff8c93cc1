/**
 * The sandbox's state: every Stripe object as a JSON document in one SQLite table, with the
 * columns its lists filter and sort on, plus the idempotency records. In memory by default, in a
 * file (WAL) when asked, through the same code.
 *
 * better-sqlite3 is synchronous, and request handlers run from their first read to their last
 * write without awaiting anything, so on Node's single thread each handler is atomic with respect
 * to every other request: two confirmations of one PaymentIntent, or two updates of one customer,
 * run one after the other and the second sees the first's result.
 */
import Database from 'better-sqlite3';
import type { Range } from './params.ts';

export type ObjectType =
  | 'customer'
  | 'card'
  | 'payment_method'
  | 'token'
  | 'payment_intent'
  | 'charge';

/** The columns besides the document: `owner` is the customer, `tag` a second filter. */
export interface Index {
  owner?: string | null;
  tag?: string | null;
}

/** Where an object sits in list order (newest first, ties broken by insertion order). */
export interface Position {
  created: number;
  seq: number;
}

export interface ListQuery {
  type: ObjectType;
  owner?: string | undefined;
  tag?: string | undefined;
  created?: Range | undefined;
  /** Only objects older than this one (`starting_after`). */
  after?: Position | undefined;
  /** Only objects newer than this one (`ending_before`). */
  before?: Position | undefined;
  limit: number;
}

export interface IdempotencyRecord {
  scope: string;
  endpoint: string;
  fingerprint: string;
  status: number;
  body: string;
  requestId: string;
  created: number;
}

/** Bumped whenever SCHEMA changes: a file of another version is refused, not misread. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE objects (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  owner TEXT,
  tag TEXT,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL
);
CREATE INDEX objects_by_type ON objects (type, created, seq);
-- Partial indexes: a row without owner (a customer, a token) costs no entry in the owner index.
CREATE INDEX objects_by_owner ON objects (type, owner, created, seq)
  WHERE owner IS NOT NULL;
CREATE INDEX objects_by_tag ON objects (type, tag, created, seq)
  WHERE tag IS NOT NULL;
-- Records are appended in time order; the lookup by scope goes through the Store's in-memory
-- index (idempotencyIndex), since keys are random and a SQL index on them slows every
-- insert down as the table grows.
CREATE TABLE idempotency (
  seq INTEGER PRIMARY KEY,
  scope TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  request_id TEXT NOT NULL,
  created INTEGER NOT NULL
);
`;

/** More cards or PaymentMethods than one customer can sensibly hold. */
const OWNED_LIMIT = 1_000_000;

interface DataRow {
  data: string;
}

interface IdempotencyRow {
  seq: number;
  scope: string;
  endpoint: string;
  fingerprint: string;
  status: number;
  body: string;
  request_id: string;
  created: number;
}

/** One SQLite database holding all objects; every statement is prepared once. */
export class Store {
  private readonly db: Database.Database;
  private readonly listStatements = new Map<string, Database.Statement<unknown[], DataRow>>();
  private readonly statements;
  /** Idempotency scope -> row: an index kept in memory, rebuilt from the table on open. */
  private readonly idempotencyIndex = new Map<string, number>();
  /** One wrapper made once: better-sqlite3 builds four closures per `db.transaction()` call. */
  private readonly runInTransaction: (fn: () => void) => void;

  /** Opens `file` (created if missing) or, without one, a private in-memory database. */
  constructor(file?: string) {
    this.db = new Database(file ?? ':memory:');
    if (file) {
      this.db.pragma('journal_mode = WAL');
      // WAL with NORMAL sync survives a process crash; only a power loss may lose the last commits.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
    }
    this.migrate(file);
    // IMMEDIATE takes the write lock at the start, so a second process sharing the file (such as
    // `npm run token` beside `npm start`) waits through busy_timeout instead of failing with
    // SQLITE_BUSY when a deferred transaction tries to upgrade from reading to writing.
    this.runInTransaction = this.db.transaction((fn: () => void) => fn()).immediate;
    const db = this.db;
    this.statements = {
      insert: db.prepare<
        [number | null, string, string, string | null, string | null, number, string]
      >(
        'INSERT INTO objects (seq, id, type, owner, tag, created, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      update: db.prepare<[string, string | null, string | null, number, string, string]>(
        'UPDATE objects SET data = ?, owner = ?, tag = ?, deleted = ? WHERE id = ? AND type = ?',
      ),
      get: db.prepare<[string, string], DataRow>(
        'SELECT data FROM objects WHERE id = ? AND type = ? AND deleted = 0',
      ),
      getAny: db.prepare<[string], DataRow & { type: string; deleted: number }>(
        'SELECT data, type, deleted FROM objects WHERE id = ?',
      ),
      position: db.prepare<[string, string], Position>(
        'SELECT created, seq FROM objects WHERE id = ? AND type = ?',
      ),
      remove: db.prepare<[string, string]>('DELETE FROM objects WHERE id = ? AND type = ?'),
      idempotencyGet: db.prepare<[number], IdempotencyRow>(
        'SELECT * FROM idempotency WHERE seq = ?',
      ),
      idempotencyPut: db.prepare<[string, string, string, number, string, string, number]>(
        'INSERT INTO idempotency (scope, endpoint, fingerprint, status, body, request_id, created) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      idempotencyDelete: db.prepare<[number]>('DELETE FROM idempotency WHERE seq = ?'),
      idempotencyPrune: db.prepare<[number]>('DELETE FROM idempotency WHERE created < ?'),
      idempotencyScopes: db.prepare<[], { seq: number; scope: string }>(
        'SELECT seq, scope FROM idempotency ORDER BY seq',
      ),
    };
    this.loadIdempotencyIndex();
  }

  /** Creates the schema in a new database; refuses a file written by another schema version. */
  private migrate(file: string | undefined): void {
    const version = this.db.pragma('user_version', { simple: true });
    if (version === SCHEMA_VERSION) return;
    const tables = this.db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    const empty = typeof tables === 'object' && tables !== null && 'n' in tables && tables.n === 0;
    if (!empty) {
      this.db.close();
      throw new Error(
        `${file} holds sandbox state of another schema version (${String(version)}, expected ` +
          `${SCHEMA_VERSION}); delete it or choose another file`,
      );
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  /** Runs `fn` in one transaction: every write it made is undone if it throws. */
  transaction<T>(fn: () => T): T {
    let result: { value: T } | undefined;
    this.runInTransaction(() => {
      result = { value: fn() };
    });
    if (result === undefined) throw new Error('the transaction did not run its function');
    return result.value;
  }

  /** Stores a new object; `created` (unix seconds) orders it in lists. */
  insert(type: ObjectType, object: { id: string }, created: number, index: Index = {}): void {
    this.statements.insert.run(
      null,
      object.id,
      type,
      index.owner ?? null,
      index.tag ?? null,
      created,
      JSON.stringify(object),
    );
  }

  /** Replaces a stored object's document and index columns, keeping its place in lists. */
  save(type: ObjectType, object: { id: string }, index: Index = {}, deleted = false): void {
    this.statements.update.run(
      JSON.stringify(object),
      index.owner ?? null,
      index.tag ?? null,
      deleted ? 1 : 0,
      object.id,
      type,
    );
  }

  /** A live object of that type, or undefined (also for a deleted one). */
  get<T>(type: ObjectType, id: string): T | undefined {
    const row = this.statements.get.get(id, type);
    return row ? JSON.parse(row.data) : undefined;
  }

  /** Any object with that id, whatever its type, including deleted ones. */
  getAny(id: string): { type: string; deleted: boolean; data: unknown } | undefined {
    const row = this.statements.getAny.get(id);
    return row
      ? { type: row.type, deleted: row.deleted === 1, data: JSON.parse(row.data) }
      : undefined;
  }

  position(type: ObjectType, id: string): Position | undefined {
    return this.statements.position.get(id, type);
  }

  remove(type: ObjectType, id: string): void {
    this.statements.remove.run(id, type);
  }

  /**
   * One page of a list, newest first. Reads `limit + 1` rows to know `has_more` exactly; with
   * `before` it walks upwards from the cursor and returns the page in list order. Every query is a
   * range scan of one index (type, owner|tag, created, seq), so a page costs the same however deep
   * in the list it is.
   */
  list<T>(query: ListQuery): { items: T[]; hasMore: boolean } {
    const where = ['type = ?', 'deleted = 0'];
    const args: (string | number)[] = [query.type];
    if (query.owner !== undefined) {
      where.push('owner = ?');
      args.push(query.owner);
    }
    if (query.tag !== undefined) {
      where.push('tag = ?');
      args.push(query.tag);
    }
    const range = query.created ?? {};
    for (const [key, op] of [
      ['gt', '>'],
      ['gte', '>='],
      ['lt', '<'],
      ['lte', '<='],
    ] as const) {
      const bound = range[key];
      if (bound !== undefined) {
        where.push(`created ${op} ?`);
        args.push(bound);
      }
    }
    const upwards = query.before !== undefined && query.after === undefined;
    const cursor = upwards ? query.before : query.after;
    if (cursor) {
      where.push(upwards ? '(created, seq) > (?, ?)' : '(created, seq) < (?, ?)');
      args.push(cursor.created, cursor.seq);
    }
    const order = upwards ? 'created ASC, seq ASC' : 'created DESC, seq DESC';
    const sql = `SELECT data FROM objects WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    args.push(query.limit + 1);

    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], DataRow>(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...args);
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    if (upwards) page.reverse();
    return { items: page.map((row): T => JSON.parse(row.data)), hasMore };
  }

  /** Every live object of a type owned by `owner` (a customer's cards or PaymentMethods). */
  owned<T>(type: ObjectType, owner: string): T[] {
    return this.list<T>({ type, owner, limit: OWNED_LIMIT }).items;
  }

  getIdempotency(scope: string): IdempotencyRecord | undefined {
    const seq = this.idempotencyIndex.get(scope);
    if (seq === undefined) return undefined;
    const row = this.statements.idempotencyGet.get(seq);
    if (!row) {
      // The write of that record was rolled back.
      this.idempotencyIndex.delete(scope);
      return undefined;
    }
    return {
      scope: row.scope,
      endpoint: row.endpoint,
      fingerprint: row.fingerprint,
      status: row.status,
      body: row.body,
      requestId: row.request_id,
      created: row.created,
    };
  }

  /** Stores a record, replacing an earlier one of the same scope (an expired one). */
  putIdempotency(record: IdempotencyRecord): void {
    const previous = this.idempotencyIndex.get(record.scope);
    if (previous !== undefined) this.statements.idempotencyDelete.run(previous);
    const { lastInsertRowid } = this.statements.idempotencyPut.run(
      record.scope,
      record.endpoint,
      record.fingerprint,
      record.status,
      record.body,
      record.requestId,
      record.created,
    );
    this.idempotencyIndex.set(record.scope, Number(lastInsertRowid));
  }

  /** Deletes idempotency records created before `before` (unix seconds). */
  pruneIdempotency(before: number): void {
    if (this.statements.idempotencyPrune.run(before).changes > 0) this.loadIdempotencyIndex();
  }

  private loadIdempotencyIndex(): void {
    this.idempotencyIndex.clear();
    for (const row of this.statements.idempotencyScopes.iterate()) {
      this.idempotencyIndex.set(row.scope, row.seq);
    }
  }

  /** Deletes every object and idempotency record. */
  reset(): void {
    this.db.exec('DELETE FROM objects; DELETE FROM idempotency;');
    this.idempotencyIndex.clear();
  }

  close(): void {
    this.db.close();
  }
}
