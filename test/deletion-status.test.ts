import {
  ACTIVE_DELETION_STATUSES,
  DELETION_TRANSITIONS,
  DeletionStatus,
  statusTransition,
} from '../src/domain/deletion/deletion-status';
import { createTestDatabase, TestDatabase } from './support/test-database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

/** The quoted values of an `IN (…)` or `= ANY (ARRAY[…])` in a constraint or index definition, sorted. */
function quotedValues(definition: string): string[] {
  return [...definition.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]).sort();
}

describe('one deletion state machine', () => {
  it('refuses to declare a status change the transitions table does not allow, naming it', () => {
    expect(() => statusTransition([DeletionStatus.COMPLETED], DeletionStatus.EXECUTING)).toThrow(
      'Deletion status COMPLETED → EXECUTING is not in DELETION_TRANSITIONS.',
    );
    expect(() =>
      statusTransition([DeletionStatus.PENDING, DeletionStatus.CANCELLED], DeletionStatus.EXECUTING),
    ).toThrow('Deletion status CANCELLED → EXECUTING');
    expect(statusTransition([DeletionStatus.PENDING], DeletionStatus.CANCELLED)).toEqual({
      from: [DeletionStatus.PENDING],
      to: DeletionStatus.CANCELLED,
    });
  });

  it('names exactly the statuses the database accepts, and the active ones its unique index covers', async () => {
    const check = await database.db.one<{ definition: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
       WHERE c.conrelid = 'deletions'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%status%'`,
    );
    expect(quotedValues(check!.definition)).toEqual(Object.keys(DELETION_TRANSITIONS).sort());
    const index = await database.db.one<{ definition: string }>(
      "SELECT pg_get_expr(i.indpred, i.indrelid) AS definition FROM pg_index i WHERE i.indexrelid = 'deletions_one_active'::regclass",
    );
    expect(quotedValues(index!.definition)).toEqual([...ACTIVE_DELETION_STATUSES].sort());
  });

  it('lets exactly the active statuses move on, so a final status is never left', () => {
    const movable = Object.values(DeletionStatus).filter((status) => DELETION_TRANSITIONS[status].length > 0);
    expect(movable.sort()).toEqual([...ACTIVE_DELETION_STATUSES].sort());
  });
});
