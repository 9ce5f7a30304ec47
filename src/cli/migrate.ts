import 'reflect-metadata';
import { loadConfig } from '../config';
import { withCliDatabase } from './cli-database';

/** `npm run migrate`: applies pending migrations (the server also does this at start). */
void withCliDatabase(loadConfig(), async () => {
  process.stdout.write('the database schema is up to date\n');
});
