import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * The ledger's migrations, defined in code so a bundled or compiled build needs no migration files
 * on disk. Names sort in the order they must run; a migration, once released, is never edited:
 * a change is a new entry.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('customers')
        .addColumn('email', 'text', (col) => col.primaryKey())
        .addColumn('stripe_customer_id', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      // Several NULLs are allowed by a unique index on both databases (pending reservations).
      await db.schema
        .createIndex('customers_stripe_customer_id_key')
        .unique()
        .on('customers')
        .column('stripe_customer_id')
        .execute();

      await db.schema
        .createTable('payment_attempts')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('customer_id', 'text', (col) => col.notNull())
        .addColumn('amount', 'bigint', (col) => col.notNull())
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('stripe_idempotency_key', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('payment_intent_id', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      // The sweeper's query: pending attempts by age.
      await db.schema
        .createIndex('payment_attempts_status_updated_idx')
        .on('payment_attempts')
        .columns(['status', 'updated_at'])
        .execute();

      await db.schema
        .createTable('payments')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('customer_id', 'text', (col) => col.notNull())
        .addColumn('amount', 'bigint', (col) => col.notNull())
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('status_rank', 'integer', (col) => col.notNull())
        .addColumn('created', 'bigint', (col) => col.notNull())
        .execute();
      // Matches the history's ORDER BY exactly, so a long history is read in index order, unsorted.
      await db.schema
        .createIndex('payments_customer_created_idx')
        .on('payments')
        .columns(['customer_id', 'created', 'id'])
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('idempotency_key', 'text', (col) => col.notNull())
        .addColumn('request_hash', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('locked_until', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pkey', ['scope', 'idempotency_key'])
        .execute();
      await db.schema
        .createIndex('idempotency_keys_created_idx')
        .on('idempotency_keys')
        .column('created_at')
        .execute();

      await db.schema
        .createTable('sync_state')
        .addColumn('customer_id', 'text', (col) => col.primaryKey())
        .addColumn('synced_at', 'bigint', (col) => col.notNull())
        .execute();
    },
  },
  // Who holds a pending email reservation (the registration's key root), so that the same
  // request may take its reservation back and a crashed one can be taken over after its lease.
  '0002_customers_registration_key': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('customers').addColumn('registration_key', 'text').execute();
    },
  },
};

/** Hands Kysely's `Migrator` the migrations above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/** The names of the migrations this build knows, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();
