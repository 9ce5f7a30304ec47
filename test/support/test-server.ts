import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger, Logger } from '../../src/log';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough';

/** A real server on a free port, over its own fresh database and file folder. */
export interface TestServer {
  app: App;
  database: TestDatabase;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** Stops the server, then drops the database and the folder. */
  close(): Promise<void>;
}

/** Starts the app as `npm start` would, with DATABASE_URL pointing at a fresh test database (and `logger`, if given). */
export async function startTestServer(
  env: Record<string, string> = {},
  database?: TestDatabase,
  logger?: Logger,
): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-files-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await startApp(config, logger ?? createLogger(config.logLevel));
  return {
    app,
    database: db,
    url: app.server.url,
    wsUrl: app.server.url.replace(/^http/, 'ws'),
    dataDir,
    close: async () => {
      await app.stop();
      if (!database) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
