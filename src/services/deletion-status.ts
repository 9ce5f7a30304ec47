/** The life of one permanent-deletion batch: PENDING → CANCELLED | EXECUTING → COMPLETED | FAILED. */
export enum DeletionStatus {
  PENDING = 'PENDING',
  CANCELLED = 'CANCELLED',
  EXECUTING = 'EXECUTING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/** The statuses the partial unique index `deletions_one_active` allows once per workspace. */
export const ACTIVE_DELETION_STATUSES: readonly DeletionStatus[] = [DeletionStatus.PENDING, DeletionStatus.EXECUTING];
