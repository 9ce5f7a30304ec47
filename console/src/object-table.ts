import type { ObjectFieldsFragment } from '../../operations/generated.js';
import { h } from './dom.js';
import { formatBytes, formatTime } from './format.js';
import { STATE_LABELS } from './labels.js';

/** One page of a list of objects, as every list query of the API returns it. */
export interface ObjectPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: ObjectFieldsFragment }[];
}

export interface PagingActions {
  nextPage(cursor: string): void;
  firstPage(): void;
}

const STATE_CLASS = { MARKED: 'state-marked', PENDING: 'state-pending', NONE: undefined } as const;

/** Extra columns of a table of objects: a leading selection cell, a last action cell. */
export interface ObjectColumns {
  action?: (object: ObjectFieldsFragment) => Node | string;
  select?: { header: Node; cell: (object: ObjectFieldsFragment) => Node };
}

/**
 * A table of objects, in its own scrolling box so a narrow screen scrolls the table, not the page.
 * MARKED and PENDING rows are red and say so in a column of their own, so the state does not
 * depend on seeing the colour. `columns` adds a selection column and an action column.
 */
export function objectTable(id: string, caption: string, page: ObjectPage, columns: ObjectColumns = {}): HTMLElement {
  const { action, select } = columns;
  const titles = ['Title', 'Archived', 'Archived by', 'Attachments', 'Deletion state', ...(action ? ['Action'] : [])];
  const table = h(
    'table',
    { id },
    h('caption', {}, `${caption}: ${page.edges.length} shown of ${page.totalCount}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        select ? h('th', { scope: 'col' }, select.header) : null,
        titles.map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      page.edges.map(({ node: object }) =>
        h(
          'tr',
          { class: STATE_CLASS[object.deletionState], 'data-state': object.deletionState },
          select ? h('td', {}, select.cell(object)) : null,
          h('th', { scope: 'row' }, object.title),
          h('td', {}, formatTime(object.archivedAt)),
          h('td', {}, object.archivedBy?.name ?? '—'),
          h('td', {}, formatBytes(object.attachmentBytes)),
          h('td', {}, STATE_LABELS[object.deletionState]),
          action ? h('td', {}, action(object)) : null,
        ),
      ),
    ),
  );
  return scrollBox(table, caption);
}

/** A box that scrolls its table sideways on a narrow screen; focusable, so the keyboard can scroll it too. */
export function scrollBox(table: HTMLElement, label: string): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

/** "First page" and "Next page" buttons; `what` names the list for screen readers when a screen has two. */
export function pagingButtons(
  idPrefix: string,
  what: string,
  page: { pageInfo: ObjectPage['pageInfo'] },
  isFirstPage: boolean,
  actions: PagingActions,
): (HTMLElement | string)[] {
  const { hasNextPage, endCursor } = page.pageInfo;
  return [
    h(
      'button',
      {
        type: 'button',
        id: `${idPrefix}-first-page`,
        'aria-label': `First page of ${what}`,
        disabled: isFirstPage,
        onclick: () => actions.firstPage(),
      },
      'First page',
    ),
    ' ',
    h(
      'button',
      {
        type: 'button',
        id: `${idPrefix}-next-page`,
        'aria-label': `Next page of ${what}`,
        disabled: !hasNextPage,
        onclick: () => endCursor && actions.nextPage(endCursor),
      },
      'Next page',
    ),
  ];
}
