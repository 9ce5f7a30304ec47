import type { DeletionHistoryQuery } from '../../operations/generated.js';
import { h } from './dom.js';
import { formatTime, formatVolume } from './format.js';

type HistoryDeletion = DeletionHistoryQuery['deletions']['edges'][number]['node'];

/** The history of deletions, newest activated first, each ended one with its signed receipt. */
export function historyTable(deletions: HistoryDeletion[], totalCount: number): HTMLElement {
  if (deletions.length === 0) return h('p', {}, 'No deletion has been activated yet.');
  return h(
    'table',
    { id: 'history-table' },
    h('caption', {}, `Deletions (${deletions.length} newest of ${totalCount})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Activated', 'By', 'Status', 'Objects · volume', 'Ended', 'Receipt', 'Verified'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
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
          h('td', {}, receiptLink(deletion)),
          h('td', { class: 'receipt-verified' }, verifiedText(deletion)),
        ),
      ),
    ),
  );
}

/**
 * The receipt as a file to save: the JWS is already in the page (the history query reads it), so the
 * link carries it as a data: URL and needs no second request with the token.
 */
function receiptLink({ id, receipt }: HistoryDeletion): HTMLElement | string {
  if (!receipt) return '—';
  return h(
    'a',
    {
      class: 'receipt-download',
      href: `data:application/jose;charset=us-ascii,${receipt.jws}`,
      download: `receipt-${id}.jws`,
      title: `Receipt ${receipt.receiptId}: verify it with npm run verify-receipt (docs/receipts.md)`,
    },
    'Download',
  );
}

/** Whether the check after execution found nothing of the removed objects left. */
function verifiedText({ receipt }: HistoryDeletion): string {
  if (!receipt) return '—';
  return receipt.verified ? 'yes' : 'no';
}

function endOf(deletion: HistoryDeletion): string {
  if (deletion.cancelledAt)
    return `cancelled by ${deletion.cancelledBy?.name ?? '—'} at ${formatTime(deletion.cancelledAt)}`;
  if (deletion.completedAt) return `completed at ${formatTime(deletion.completedAt)}`;
  if (deletion.failureReason) return `failed: ${deletion.failureReason}`;
  return '—';
}
