import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Database } from '../../src/database/database';
import { migrate } from '../../src/database/migrate';

/** A database of its own for one test file, created from a migrated template. */
export interface TestDatabase {
  url: string;
  db: Database;
  drop(): Promise<void>;
}

const MIGRATIONS = path.join(__dirname, '../../src/database/migrations');
// Serialises template builds and copies across the workers of every run sharing a server.
const TEMPLATE_LOCK = 7_340_002;

/**
 * The template's name changes whenever a migration file does, so a shared server never serves a
 * stale one. Migrations import nothing that defines tables from outside their folder (the first
 * one keeps its own frozen copy of the object tables), so their files are the whole schema.
 */
function templateName(): string {
  const hash = createHash('sha1');
  for (const file of readdirSync(MIGRATIONS).sort())
    hash.update(file).update(readFileSync(path.join(MIGRATIONS, file)));
  return `crm_template_${hash.digest('hex').slice(0, 12)}`;
}

/** `postgres://…/name` with the database part replaced. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_URL;
  if (!url) throw new Error('TEST_ADMIN_URL is unset: run the tests through jest (globalSetup starts the database).');
  return url;
}

/** Creates a fresh, migrated database; tests never see each other's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  const name = `crm_test_${randomBytes(6).toString('hex')}`;
  try {
    const template = templateName();
    // Held until the copy is made: building and copying the template must not overlap across workers.
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) await buildTemplate(admin, template);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
  const url = withDatabase(adminUrl(), name);
  const db = await Database.connect(url, 5);
  return {
    url,
    db,
    drop: async () => {
      await db.close();
      const client = new Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Builds the template under a temporary name and renames it only once it is complete. */
async function buildTemplate(admin: Client, template: string): Promise<void> {
  const building = `${template}_building`;
  await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${building}`);
  const db = await Database.connect(withDatabase(adminUrl(), building), 2);
  try {
    await migrate(db.dataSource);
  } finally {
    await db.close();
  }
  await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
}
