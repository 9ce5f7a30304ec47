/**
 * Per object: where it stands in permanent deletion (derived from marked_at and the mark's generation);
 * the GraphQL `DeletionState`. The UI paints MARKED and PENDING red.
 */
export enum DeletionState {
  NONE = 'NONE',
  /** In the selection for the next deletion. */
  MARKED = 'MARKED',
  /** In an activated (PENDING or EXECUTING) deletion. */
  PENDING = 'PENDING',
}

/** The life of one permanent-deletion batch (docs/rules.md, Words): see DELETION_TRANSITIONS. */
export enum DeletionStatus {
  PENDING = 'PENDING',
  CANCELLED = 'CANCELLED',
  EXECUTING = 'EXECUTING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

const { PENDING, CANCELLED, EXECUTING, COMPLETED, FAILED } = DeletionStatus;

/**
 * Every status change a deletion may make, and who makes it; only the lifecycle's statements
 * (lifecycle/lifecycle-sql.ts, docs/deletion-lifecycle.md) write `status`.
 * - PENDING → CANCELLED: an admin cancels (DeletionLifecycle.cancel).
 * - PENDING → EXECUTING: the scheduler claims a deletion past its grace period (DeletionLifecycle.claim).
 * - EXECUTING → EXECUTING: another instance takes over a run whose lease expired (the same claim).
 * - EXECUTING → COMPLETED: the executor removed every object of the batch.
 * - EXECUTING → FAILED: the executor gave up; the objects left return to the selection.
 * CANCELLED, COMPLETED and FAILED are final: a new batch is a new deletion.
 */
export const DELETION_TRANSITIONS: Readonly<Record<DeletionStatus, readonly DeletionStatus[]>> = {
  [PENDING]: [CANCELLED, EXECUTING],
  [EXECUTING]: [EXECUTING, COMPLETED, FAILED],
  [CANCELLED]: [],
  [COMPLETED]: [],
  [FAILED]: [],
};

/** The statuses the partial unique index `deletions_one_active` allows once per workspace. */
export const ACTIVE_DELETION_STATUSES: readonly DeletionStatus[] = [PENDING, EXECUTING];

/** One status change a statement makes: the statuses it may start from (its WHERE) and the one it sets. */
export interface StatusTransition {
  readonly from: readonly DeletionStatus[];
  readonly to: DeletionStatus;
}

/**
 * Declares the status change of a statement, checked against DELETION_TRANSITIONS when the module
 * that declares it loads, so a statement cannot set a status the state machine does not allow.
 */
export function statusTransition(from: readonly DeletionStatus[], to: DeletionStatus): StatusTransition {
  const illegal = from.filter((status) => !DELETION_TRANSITIONS[status].includes(to));
  if (illegal.length > 0) {
    throw new Error(`Deletion status ${illegal.join(', ')} → ${to} is not in DELETION_TRANSITIONS.`);
  }
  return { from, to };
}

/** Whether a deletion in `status` can still be cancelled, to tell a refused admin what to do. */
export function isCancellable(status: DeletionStatus): boolean {
  return DELETION_TRANSITIONS[status].includes(CANCELLED);
}
