import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

declare global {
  var embeddedPostgres: EmbeddedDatabase | undefined;
}

/**
 * Once per `jest` run: with DATABASE_URL, tests use that server; without it, a throw-away
 * embedded PostgreSQL under the OS temp folder (reachable by the postgres OS user when root).
 * Workers learn the server through TEST_ADMIN_URL and create one database per test file.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  globalThis.embeddedPostgres = await startEmbeddedPostgres({
    dataFolder: path.join(os.tmpdir(), `crm-archive-test-${process.pid}-${randomBytes(4).toString('hex')}`),
    persistent: false,
    databaseName: 'postgres',
    log: (message) => process.stderr.write(`${message}\n`),
  });
  process.env.TEST_ADMIN_URL = globalThis.embeddedPostgres.url;
}
