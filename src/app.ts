import { createPubSub } from '@graphql-yoga/subscription';
import { PubSub } from 'type-graphql';
import path from 'node:path';
import { Config } from './config';
import { Database } from './database/database';
import { EmbeddedDatabase, recordRunningUrl, startEmbeddedPostgres } from './database/embedded-postgres';
import { migrate } from './database/migrate';
import { isSeeded, seedDemoData } from './database/seed';
import { Logger } from './log';
import { LocalFileStore } from './services/file-store';
import { createServices, Services } from './services/services';
import { RunningServer, startServer } from './server/http-server';
import { createSchema } from './server/schema';

/** A started instance: its server and services, and how to stop all of it. */
export interface App {
  server: RunningServer;
  services: Services;
  /** This process's pub/sub: the deletion-events listener publishes each NOTIFY'd message on it. */
  pubSub: PubSub;
  /** Whether this start created the demo data. */
  seeded: boolean;
  stop(): Promise<void>;
}

/** Opens the database (embedded unless DATABASE_URL is set), migrates it, and starts serving. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataFolder: path.join(config.dataDir, 'postgres'),
      persistent: true,
      databaseName: 'crm',
      log: (message) => logger.warn(message),
    });
    url = embedded.url;
    recordRunningUrl(config.dataDir, url);
    logger.info(`embedded PostgreSQL running from ${embedded.dataFolder}`);
  }
  const db = await Database.connect(url);
  const applied = await migrate(db.dataSource);
  if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
  const files = new LocalFileStore(path.join(config.dataDir, 'files'));
  // Only the embedded database is seeded by itself: a server named by DATABASE_URL is the operator's.
  const services = createServices(config, db, files);
  const seeded = embedded !== undefined && !(await isSeeded(db)) && (await seedDemoData(services));
  // Events reach this process's subscribers through this pub/sub (see deletion-events.ts).
  const pubSub = createPubSub();
  const schema = await createSchema(pubSub);
  const server = await startServer({ services, schema, port: config.port, logger });
  return {
    server,
    services,
    pubSub,
    seeded,
    stop: async () => {
      await server.stop();
      await db.close();
      if (embedded) {
        recordRunningUrl(config.dataDir, null);
        await embedded.stop();
      }
    },
  };
}
