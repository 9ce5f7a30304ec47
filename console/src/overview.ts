import type { DeletionFieldsFragment, ObjectType, OverviewFieldsFragment } from '../../operations/generated.js';
import { h } from './dom.js';
import { typePlural } from './labels.js';
import { scrollBox } from './object-table.js';
import { MARKING_CLOSED } from './recycle-bin.js';
import { formatCountdown, formatTime, formatVolume } from './format.js';

/** What the overview's buttons do; the controller (main.ts) runs the mutations. */
export interface OverviewActions {
  showArchived(type: ObjectType): void;
  activate(): void;
  cancel(deletionId: string): void;
  exportZip(deletionId: string): void;
}

/** The seed's consolidated table: per type, all / archived / marked objects with their attachment volume. */
export function overviewTable(overview: OverviewFieldsFragment, actions: OverviewActions): HTMLElement {
  const markedTotal = overview.types.reduce((sum, row) => sum + row.marked.count, 0);
  const canActivate = markedTotal > 0 && !overview.pending;
  const table = h(
    'table',
    { id: 'overview-table' },
    h('caption', {}, 'Objects per type: count · attachment volume'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Type', 'All objects', 'Archived', 'Marked for deletion', 'Actions'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      overview.types.map((row) =>
        h(
          'tr',
          { class: row.marked.count > 0 ? 'state-marked' : undefined },
          h('th', { scope: 'row' }, typePlural(row.type)),
          h('td', {}, formatVolume(row.all)),
          h('td', {}, formatVolume(row.archived)),
          h('td', {}, formatVolume(row.marked)),
          h(
            'td',
            {},
            h(
              'button',
              { id: `show-${row.type}`, type: 'button', onclick: () => actions.showArchived(row.type) },
              `Show archived ${typePlural(row.type)}`,
            ),
          ),
        ),
      ),
    ),
  );
  return h(
    'div',
    {},
    scrollBox(table, 'Objects per type'),
    h(
      'p',
      {},
      h(
        'button',
        { id: 'activate', type: 'button', disabled: !canActivate, onclick: () => actions.activate() },
        `Activate permanent deletion of ${markedTotal} marked object${markedTotal === 1 ? '' : 's'}`,
      ),
      overview.pending ? ` ${MARKING_CLOSED}` : null,
    ),
  );
}

/** The pending deletion: what it removes, a live countdown to executeAfter, and a cancel button for any admin. */
export function pendingPanel(pending: DeletionFieldsFragment, actions: OverviewActions): HTMLElement {
  return h(
    'div',
    { id: 'pending', class: 'state-pending' },
    h(
      'p',
      {},
      h('strong', {}, `PENDING: ${formatVolume(pending.total)} `),
      `activated by ${pending.activatedBy.name} at ${formatTime(pending.activatedAt)}. `,
      'Executes at ',
      h('time', { datetime: pending.executeAfter }, formatTime(pending.executeAfter)),
      ', in ',
      // Not a live region: a screen reader announcing every second would drown everything else.
      h('span', { 'data-countdown': pending.executeAfter }, formatCountdown(pending.executeAfter)),
      '.',
    ),
    h(
      'ul',
      {},
      pending.byType.map(({ type, volume }) => h('li', {}, `${typePlural(type)}: ${formatVolume(volume)}`)),
    ),
    h(
      'button',
      { id: 'cancel-deletion', type: 'button', onclick: () => actions.cancel(pending.id) },
      'Cancel this deletion',
    ),
    ' ',
    h(
      'button',
      { id: 'export-deletion', type: 'button', onclick: () => actions.exportZip(pending.id) },
      'Download export (ZIP)',
    ),
  );
}

/** Advances every countdown on the page; called once a second. */
export function tickCountdowns(now = Date.now()): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-countdown]')) {
    element.textContent = formatCountdown(element.dataset.countdown!, now);
  }
}
