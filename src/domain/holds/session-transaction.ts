import { Sql } from '../../database/database';

/**
 * Runs `work` in one transaction on a session's connection (`Database.session`): the session keeps
 * its advisory lock across many of these, each committing (or rolling back) on its own.
 */
export async function sessionTransaction<T>(session: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  await session.rows('BEGIN');
  try {
    const result = await work(session);
    await session.rows('COMMIT');
    return result;
  } catch (error) {
    await session.rows('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
