import { Database } from '../../src/database/database';

/** A node of `EXPLAIN (FORMAT JSON)`'s plan, with the keys the plan tests read. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Parent Relationship'?: string;
  Plans?: PlanNode[];
}

/**
 * The plan PostgreSQL picks for `text` when it may not read a whole table (`enable_seqscan = off`
 * for one transaction): which index serves the statement, on test tables too small for the planner
 * to prefer one by itself.
 */
export async function planWithoutSeqScans(db: Database, text: string, params: readonly unknown[]): Promise<PlanNode> {
  return db.transaction(async (tx) => {
    await tx.rows('SET LOCAL enable_seqscan = off');
    const [row] = await tx.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, [...params]);
    return row['QUERY PLAN'][0].Plan;
  });
}
