import 'reflect-metadata';
import { loadConfig } from '../config';
import { seedDemoData } from './demo-seed';
import { withCliDatabase } from './cli-database';

/** `npm run seed`: creates the demo workspaces, users, objects and files unless they exist. */
void withCliDatabase(loadConfig(), async (services) => {
  const created = await seedDemoData(services);
  process.stdout.write(created ? 'created the demo data\n' : 'the demo data exists already\n');
});
