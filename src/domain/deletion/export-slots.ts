import { AppError, ErrorCode } from '../../errors';

/** How many exports one process runs at once, and how many of them one workspace may hold. */
export interface ExportLimits {
  max: number;
  perWorkspace: number;
}

/**
 * The export slots of one process, with a share per workspace: a workspace holds at most
 * `perWorkspace` (always below `max`), so however its clients behave, the others keep a slot.
 * A slot costs a temp folder, open files and a socket, never a database connection past the
 * export's first, short transaction (deletion-export.service.ts).
 */
export class ExportSlots {
  private total = 0;
  private readonly byWorkspace = new Map<string, number>();

  constructor(readonly limits: ExportLimits) {}

  /** Takes a slot for `workspaceId`, or refuses with CONFLICT, `reason: EXPORTS_BUSY`; returns its release. */
  take(workspaceId: string): () => void {
    const mine = this.byWorkspace.get(workspaceId) ?? 0;
    if (mine >= this.limits.perWorkspace) {
      throw busy(`${mine} exports of your workspace are already running; retry once one has finished.`, 'workspace');
    }
    if (this.total >= this.limits.max) {
      throw busy(`${this.total} exports are already running on this server; retry once one has finished.`, 'server');
    }
    this.total += 1;
    this.byWorkspace.set(workspaceId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byWorkspace.get(workspaceId) ?? 1) - 1;
      if (left === 0) this.byWorkspace.delete(workspaceId);
      else this.byWorkspace.set(workspaceId, left);
    };
  }

  /** Slots in use now (for tests and metrics). */
  inUse(): number {
    return this.total;
  }
}

function busy(message: string, scope: 'workspace' | 'server'): AppError {
  return new AppError(ErrorCode.CONFLICT, message, { reason: 'EXPORTS_BUSY', scope });
}
