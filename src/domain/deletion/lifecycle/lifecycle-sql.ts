import { deletionAudienceRole } from '../../policy';
import { DELETION_COLUMNS } from '../deletion-row';
import { SETTINGS_COLUMNS } from '../deletion-settings-row';
import { DeletionStatus, statusTransition } from '../deletion-status';

/*
 * The statements of the deletion state machine, one per transition, in the spirit of
 * graphile-worker: each is visible here, "now" is a parameter (the injected clock), and each
 * declares its status change through statusTransition, checked against DELETION_TRANSITIONS when
 * this module loads. Statuses are written into the text (from the enum), not passed as
 * parameters, where a partial index must match (`deletions_due`, `deletions_to_remind`): a generic
 * plan cannot prove that a parameter equals one of the index's statuses.
 */

const { PENDING, CANCELLED, EXECUTING, COMPLETED, FAILED } = DeletionStatus;

const ACTIVATE = statusTransition([], PENDING);
/** Cancel wins over the executor's claim only while the deletion is PENDING (rule 9). */
export const CANCEL = statusTransition([PENDING], CANCELLED);
/** A claim starts a due run or takes over one whose lease expired. */
const CLAIM = statusTransition([PENDING, EXECUTING], EXECUTING);
const COMPLETE = statusTransition([EXECUTING], COMPLETED);
const FAIL = statusTransition([EXECUTING], FAILED);

/**
 * $1 workspace, $2 now, $3 actor, $4 execute_after. Guarded by `deletions_one_active` (rule 5).
 * Freezes the workspace's current selection generation into the deletion and moves the workspace
 * on to the next, so marks made from now on are not in this batch (batch-membership.ts): one row
 * each, whatever the selection's size.
 */
export const ACTIVATE_SQL = `
  WITH frozen AS (
    UPDATE workspaces SET selection_generation = selection_generation + 1 WHERE id = $1
    RETURNING selection_generation - 1 AS generation)
  INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after, generation)
  SELECT $1, '${ACTIVATE.to}', $2, $3, $4, generation FROM frozen RETURNING ${DELETION_COLUMNS}`;

/**
 * $1 id, $2 workspace, $3 now, $4 actor. The conditional UPDATE is the race guard against the
 * executor, which claims only a PENDING (or EXECUTING) row: whichever commits first wins.
 */
export const CANCEL_SQL = `
  UPDATE deletions SET status = '${CANCEL.to}', cancelled_at = $3, cancelled_by = $4
  WHERE id = $1 AND workspace_id = $2 AND status = ANY('{${CANCEL.from.join(',')}}'::text[])
  RETURNING ${DELETION_COLUMNS}`;

/**
 * $1 now, $2 instance, $3 lease in ms, $4 ids to skip. The deletion row is the job and SKIP LOCKED
 * makes concurrent claimers pass each other by, so however many instances tick, exactly one gets a
 * deletion. Due means PENDING past execute_after, or EXECUTING with an expired or released lease
 * (a run whose process died or stopped).
 *
 * Two clocks, on purpose. Due-ness compares execute_after with `$1`, the injected clock, so tests
 * move time to make a deletion due, as activation stamped execute_after with that same clock.
 * Leases use the database's `now()` only: every instance compares against the one clock that
 * wrote them, so a process whose clock runs late (or a test's moved clock) can neither take over
 * a live run nor hold on to a dead one. A claim does not count as an attempt: only a run that ends
 * without progress does (see DeletionExecutor), so claims that die at once cannot fail a deletion.
 * Uses the partial index `deletions_due`.
 */
export const CLAIM_SQL = `
  WITH due AS (
    SELECT id FROM deletions
    WHERE ((status = '${PENDING}' AND execute_after <= $1)
       OR (status = '${EXECUTING}' AND (locked_until IS NULL OR locked_until < now())))
      AND NOT (id = ANY($4::uuid[]))
    ORDER BY execute_after LIMIT 1
    FOR UPDATE SKIP LOCKED)
  UPDATE deletions d SET status = '${CLAIM.to}', started_at = coalesce(d.started_at, $1), locked_by = $2,
    locked_until = now() + $3 * interval '1 millisecond'
  FROM due WHERE d.id = due.id
  RETURNING d.id, d.workspace_id AS "workspaceId"`;

/**
 * $1 id, $2 now, $3 instance. Matches only while the run is still ours (EXECUTING under our lease):
 * the UPDATE locks the row, so a take-over that committed first leaves nothing to match.
 */
export const COMPLETE_SQL = `
  UPDATE deletions SET status = '${COMPLETE.to}', completed_at = $2, attempts = 0, locked_by = NULL,
    locked_until = NULL
  WHERE id = $1 AND status = '${COMPLETE.from[0]}' AND locked_by = $3 RETURNING id`;

/** $1 id, $2 reason, $3 instance; like COMPLETE_SQL, only while the run is ours. */
export const FAIL_SQL = `
  UPDATE deletions SET status = '${FAIL.to}', failure_reason = $2, locked_by = NULL, locked_until = NULL
  WHERE id = $1 AND status = '${FAIL.from[0]}' AND locked_by = $3 RETURNING id`;

/**
 * $1 id, $2 now. The claim that makes a reminder exactly-once however many instances tick: the
 * first UPDATE to commit sets reminded_at; another one waits for its row lock, then finds
 * reminded_at set and changes nothing. A cancel or the executor's claim that committed first
 * leaves it not PENDING. No status change.
 */
export const REMIND_SQL = `
  UPDATE deletions SET reminded_at = $2
  WHERE id = $1 AND reminded_at IS NULL AND status = '${PENDING}'
  RETURNING id`;

/** $1 workspace, $2 auto-mark days, $3 reminder hours, $4 now, $5 actor. */
export const CHANGE_SETTINGS_SQL = `
  UPDATE deletion_settings SET auto_mark_after_days = $2, reminder_hours_before = $3, updated_at = $4,
    updated_by = $5
  WHERE workspace_id = $1 RETURNING ${SETTINGS_COLUMNS}`;

/** $1 workspace, $2 now, $3 actor, $4/$5 old/new auto-mark days, $6/$7 old/new reminder hours. */
export const RECORD_SETTINGS_CHANGE_SQL = `
  INSERT INTO deletion_settings_changes (workspace_id, changed_at, changed_by, old_auto_mark_after_days,
    new_auto_mark_after_days, old_reminder_hours_before, new_reminder_hours_before)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/**
 * $1 workspace, $2 kind, $3 deletion (or null), $4 now, $5 legal hold (or null): one notification
 * for every administrator of the workspace, the catch-up path for admins who were offline when the
 * event was published.
 */
export const NOTIFY_ADMINS_SQL = `
  INSERT INTO notifications (workspace_id, user_id, kind, deletion_id, created_at, hold_id)
  SELECT workspace_id, id, $2, $3, $4, $5 FROM users WHERE workspace_id = $1 AND role = '${deletionAudienceRole()}'`;
