import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database of its own for a scenario. The API's configuration takes a DATABASE_URL but no
 * schema, so a scenario whose API processes share PostgreSQL gets a fresh database, made on the
 * server DATABASE_URL names and dropped afterwards.
 */
export interface ScratchDatabase {
  /** DATABASE_URL with the scratch database's name in place of the original. */
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(databaseUrl: string): Promise<ScratchDatabase> {
  const name = `reliability_${randomBytes(6).toString('hex')}`;
  await admin(databaseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends sessions a killed process may have left open (PostgreSQL 13 and later).
    drop: () => admin(databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
