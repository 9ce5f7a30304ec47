import type { DeletionFieldsFragment } from '../../operations/generated.js';
import { h } from './dom.js';
import { scrollBox } from './object-table.js';
import { formatTime, formatVolume } from './format.js';

/** The history of deletions, newest activated first. */
export function historyTable(deletions: DeletionFieldsFragment[], totalCount: number): HTMLElement {
  if (deletions.length === 0) return h('p', {}, 'No deletion has been activated yet.');
  const table = h(
    'table',
    { id: 'history-table' },
    h('caption', {}, `Deletions (${deletions.length} newest of ${totalCount})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Activated', 'By', 'Status', 'Objects · volume', 'Ended'].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      deletions.map((deletion) =>
        h(
          'tr',
          { class: deletion.status === 'PENDING' ? 'state-pending' : undefined },
          h('th', { scope: 'row' }, formatTime(deletion.activatedAt)),
          h('td', {}, deletion.activatedBy.name),
          h('td', {}, deletion.status),
          h('td', {}, formatVolume(deletion.total)),
          h('td', {}, endOf(deletion)),
        ),
      ),
    ),
  );
  return scrollBox(table, 'History of deletions');
}

function endOf(deletion: DeletionFieldsFragment): string {
  if (deletion.cancelledAt)
    return `cancelled by ${deletion.cancelledBy?.name ?? '—'} at ${formatTime(deletion.cancelledAt)}`;
  if (deletion.completedAt) return `completed at ${formatTime(deletion.completedAt)}`;
  if (deletion.failureReason) return `failed: ${deletion.failureReason}`;
  return '—';
}
