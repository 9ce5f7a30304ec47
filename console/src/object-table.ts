import type { ObjectFieldsFragment } from '../../operations/generated.js';
import { h } from './dom.js';
import { formatBytes, formatTime } from './format.js';

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

/**
 * A table of objects. MARKED and PENDING rows are red and say so in a column of their own, so
 * the state does not depend on seeing the colour. `action` adds a last column (e.g. a Mark button).
 */
export function objectTable(
  id: string,
  caption: string,
  page: ObjectPage,
  action?: (object: ObjectFieldsFragment) => Node | string,
): HTMLElement {
  const columns = ['Title', 'Archived', 'Attachments', 'Deletion state', ...(action ? ['Action'] : [])];
  return h(
    'table',
    { id },
    h('caption', {}, `${caption}: ${page.edges.length} shown of ${page.totalCount}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      page.edges.map(({ node: object }) =>
        h(
          'tr',
          { class: STATE_CLASS[object.deletionState], 'data-state': object.deletionState },
          h('th', { scope: 'row' }, object.title),
          h('td', {}, formatTime(object.archivedAt)),
          h('td', {}, formatBytes(object.attachmentBytes)),
          h('td', {}, object.deletionState === 'NONE' ? 'not marked' : object.deletionState),
          action ? h('td', {}, action(object)) : null,
        ),
      ),
    ),
  );
}

/** "First page" and "Next page" buttons; `what` names the list for screen readers when a screen has two. */
export function pagingButtons(
  idPrefix: string,
  what: string,
  page: ObjectPage,
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
