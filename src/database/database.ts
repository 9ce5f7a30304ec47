import { Pool } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createDataSource } from './data-source';

/** Runs SQL: on its own (one pooled connection per statement) or inside a transaction. */
export interface Sql {
  /** Runs one statement and returns its rows (RETURNING rows for writes). */
  rows<T extends object>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs one statement and returns its first row, or undefined. */
  one<T extends object>(text: string, params?: unknown[]): Promise<T | undefined>;
}

/**
 * The app's only door to PostgreSQL. Plain SQL keeps the statements that matter visible;
 * `statementCount` lets tests assert how many statements a request ran.
 */
export class Database implements Sql {
  statementCount = 0;

  constructor(readonly dataSource: DataSource) {}

  /** Connects to the database at `url`. */
  static async connect(url: string, poolSize?: number): Promise<Database> {
    const dataSource = createDataSource(url, poolSize);
    await dataSource.initialize();
    return new Database(dataSource);
  }

  /**
   * A statement on its own goes straight to the driver's pool (the one TypeORM made): a query
   * runner per statement (create, connect, wrap, release) cost about a tenth of a page's CPU.
   */
  async rows<T extends object>(text: string, params: unknown[] = []): Promise<T[]> {
    this.statementCount += 1;
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    return (await pool.query(text, params)).rows as T[];
  }

  async one<T extends object>(text: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(text, params))[0];
  }

  /** Runs `work` in one transaction (READ COMMITTED); commits if it resolves, rolls back if it throws. */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.startTransaction();
    const tx = this.sqlOn(runner);
    try {
      const result = await work(tx);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Runs `work` on one connection of its own, each statement committing on its own: a session-level
   * advisory lock taken there is held across many short transactions and goes with the connection
   * should the process die.
   */
  async session<T>(work: (session: Sql) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work(this.sqlOn(runner));
    } finally {
      await runner.release();
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Statements on one connection, as a transaction or a session sees them. */
  private sqlOn(runner: QueryRunner): Sql {
    return {
      rows: <R extends object>(text: string, params: unknown[] = []) => this.run<R>(runner, text, params),
      one: async <R extends object>(text: string, params: unknown[] = []): Promise<R | undefined> =>
        (await this.run<R>(runner, text, params))[0],
    };
  }

  private async run<T>(runner: QueryRunner, text: string, params: unknown[]): Promise<T[]> {
    this.statementCount += 1;
    // The structured result keeps RETURNING rows of UPDATE/DELETE as plain rows.
    const result = await runner.query(text, params, true);
    return (result.records ?? []) as T[];
  }
}
