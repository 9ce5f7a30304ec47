import path from 'node:path';
import { Client } from 'pg';
import { Config } from '../config';
import { Database } from '../database/database';
import { EmbeddedDatabase, runningUrl, startEmbeddedPostgres } from '../database/embedded-postgres';
import { migrate } from '../database/migrate';
import { FileStore } from '../domain/files/file-store';
import { openFileStore } from '../domain/files/open-file-store';
import { createServices, Services } from '../domain/services';
import { ensureDevSecret } from '../startup';

/**
 * Runs a command against the app's database: DATABASE_URL, or the embedded one under DATA_DIR
 * (the running server's, or started for the command and stopped afterwards).
 */
export async function withCliDatabase<T>(config: Config, work: (services: Services) => Promise<T>): Promise<T> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl ?? (await reachable(runningUrl(config.dataDir)));
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataFolder: path.join(config.dataDir, 'postgres'),
      persistent: true,
      databaseName: 'crm',
      log: (message) => process.stderr.write(`${message}\n`),
    });
    url = embedded.url;
  }
  const db = await Database.connect(url, 2);
  let files: FileStore | undefined;
  try {
    files = await openFileStore(config);
    const applied = await migrate(db.dataSource);
    if (applied.length > 0) process.stderr.write(`applied migrations: ${applied.join(', ')}\n`);
    return await work(createServices(ensureDevSecret(config), db, files));
  } finally {
    await files?.close();
    await db.close();
    await embedded?.stop();
  }
}

/**
 * Ends a command with `code` once its work (and the embedded database's stop) is done. Setting
 * process.exitCode is not enough: embedded-postgres hooks 'beforeExit' and calls process.exit(0)
 * there, which turned every failure of a command run on the embedded database into success.
 */
export function exitWith(code: number): never {
  process.exit(code);
}

/** The URL if a database answers there (a server that died leaves its URL file behind). */
async function reachable(url: string | undefined): Promise<string | undefined> {
  if (!url) return undefined;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
