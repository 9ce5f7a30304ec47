import { DataSource } from 'typeorm';

// Any constant works; it only has to be the same for every instance of this app.
const MIGRATION_LOCK = 7_340_001;

/**
 * Applies pending migrations under an advisory lock, so instances starting together never
 * race on the schema. Needs two pooled connections: one holds the lock while TypeORM migrates.
 * Returns the names of the migrations it applied.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
