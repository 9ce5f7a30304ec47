import { createDataSource } from './src/database/data-source';

/**
 * The TypeORM CLI's entry only (`typeorm migration:run -d dist/ormconfig.js`): it reads DATABASE_URL
 * when the CLI loads it. Nothing in src/ imports this file; the app builds its DataSource from its config.
 */
export default createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm');
