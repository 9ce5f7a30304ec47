import { DeletionHistoryDocument, type DeletionHistoryQuery } from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render, renderOnChange } from './dom.js';
import { formatTime, formatVolume } from './format.js';
import { typePlural } from './labels.js';
import { errorText, latestOnly } from './loading.js';
import { pagingButtons, scrollBox } from './object-table.js';

const STATUS_LABELS: Record<string, string> = {
  PENDING: 'Pending',
  EXECUTING: 'Executing',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

/** The history of deletions, newest activated first, a page at a time, with what each held per type and its receipt. */
export class History {
  readonly box = h('div');
  private after: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly pageSize: number,
  ) {}

  readonly load = latestOnly(
    () => this.api.request(DeletionHistoryDocument, { first: this.pageSize, after: this.after }),
    ({ deletions }) => {
      const rows = deletions.edges.map((edge) => edge.node);
      renderOnChange(this.box, [deletions, this.after], () =>
        rows.length === 0 && !this.after
          ? h('p', {}, 'No deletion has been activated yet.')
          : [
              historyTable(rows, deletions.totalCount),
              h(
                'p',
                {},
                pagingButtons('history', 'the history of deletions', deletions, this.after === undefined, {
                  nextPage: (cursor) => this.page(cursor),
                  firstPage: () => this.page(undefined),
                }),
              ),
            ],
      );
    },
    (error) => render(this.box, errorText(error)),
  );

  private page(after: string | undefined): void {
    this.after = after;
    void this.load();
  }
}

type HistoryDeletion = DeletionHistoryQuery['deletions']['edges'][number]['node'];

/** One page of deletions with their totals, per-type volumes, ends and receipts. */
function historyTable(deletions: HistoryDeletion[], totalCount: number): HTMLElement {
  const table = h(
    'table',
    { id: 'history-table' },
    h('caption', {}, `Deletions: ${deletions.length} shown of ${totalCount}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Activated', 'By', 'Status', 'Objects · volume', 'Per type', 'Ended', 'Receipt', 'Verified'].map((title) =>
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
          h('td', {}, STATUS_LABELS[deletion.status] ?? deletion.status),
          h('td', {}, formatVolume(deletion.total)),
          h(
            'td',
            {},
            deletion.byType.map(({ type, volume }) => `${typePlural(type)}: ${formatVolume(volume)}`).join('; '),
          ),
          h('td', {}, endOf(deletion)),
          h('td', {}, receiptLink(deletion)),
          h('td', { class: 'receipt-verified' }, verifiedText(deletion)),
        ),
      ),
    ),
  );
  return scrollBox(table, 'History of deletions');
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
