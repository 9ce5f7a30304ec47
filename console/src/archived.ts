import type { ArchivedObjectsQuery, MarkFilterInput, ObjectType } from '../../operations/generated.js';
import { h } from './dom.js';
import { formatBytes, formatTime } from './format.js';

type ArchivedPage = ArchivedObjectsQuery['archivedObjects'];
type ArchivedObject = ArchivedPage['edges'][number]['node'];

/** What to mark or unmark: some objects by reference, or every archived object matching a filter. */
export type Selection = { refs: { type: ObjectType; id: string }[] } | { filter: MarkFilterInput };

export interface ArchivedActions {
  mark(selection: Selection): void;
  unmark(selection: Selection): void;
  nextPage(cursor: string): void;
  firstPage(): void;
}

/**
 * One page of a type's archived objects. MARKED and PENDING rows are red and say so in a column
 * of their own, so the state does not depend on seeing the colour.
 */
export function archivedView(type: ObjectType, page: ArchivedPage, isFirstPage: boolean, actions: ArchivedActions) {
  const objects = page.edges.map((edge) => edge.node);
  const pageRefs = objects.map(({ type, id }) => ({ type, id }));
  return h(
    'div',
    {},
    h(
      'table',
      { id: 'archived-table' },
      h('caption', {}, `Archived ${type}: ${objects.length} shown of ${page.totalCount}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Title', 'Archived', 'Attachments', 'Deletion state', 'Action'].map((title) =>
            h('th', { scope: 'col' }, title),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        objects.map((object) => objectRow(object, actions)),
      ),
    ),
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', id: 'first-page', disabled: isFirstPage, onclick: () => actions.firstPage() },
        'First page',
      ),
      ' ',
      h(
        'button',
        {
          type: 'button',
          id: 'next-page',
          disabled: !page.pageInfo.hasNextPage,
          onclick: () => page.pageInfo.endCursor && actions.nextPage(page.pageInfo.endCursor),
        },
        'Next page',
      ),
      ' ',
      selectionButtons('page', 'this page', objects.length === 0, () => ({ refs: pageRefs }), actions),
    ),
    filterForm(type, actions),
  );
}

function objectRow(object: ArchivedObject, actions: ArchivedActions): HTMLElement {
  const ref = { type: object.type, id: object.id };
  const marked = object.deletionState === 'MARKED';
  const stateClass = { MARKED: 'state-marked', PENDING: 'state-pending', NONE: undefined }[object.deletionState];
  return h(
    'tr',
    { class: stateClass, 'data-state': object.deletionState },
    h('th', { scope: 'row' }, object.title),
    h('td', {}, formatTime(object.archivedAt)),
    h('td', {}, formatBytes(object.attachmentBytes)),
    h('td', {}, object.deletionState === 'NONE' ? 'not marked' : object.deletionState),
    h(
      'td',
      {},
      object.deletionState === 'PENDING'
        ? 'in the pending deletion'
        : h(
            'button',
            {
              type: 'button',
              id: `toggle-${object.id}`,
              'aria-label': `${marked ? 'Unmark' : 'Mark'} ${object.title} ${marked ? '' : 'for deletion'}`.trim(),
              onclick: () => (marked ? actions.unmark({ refs: [ref] }) : actions.mark({ refs: [ref] })),
            },
            marked ? 'Unmark' : 'Mark',
          ),
    ),
  );
}

/** Mark or unmark every archived object of the type, optionally only those archived before a date. */
function filterForm(type: ObjectType, actions: ArchivedActions): HTMLElement {
  const before = h('input', { type: 'date', id: 'archived-before', name: 'archivedBefore' });
  const filter = (): MarkFilterInput => ({
    type,
    ...(before.value ? { archivedBefore: new Date(`${before.value}T00:00:00`).toISOString() } : {}),
  });
  return h(
    'fieldset',
    {},
    h('legend', {}, `By filter: every archived ${type}`),
    h('label', { for: 'archived-before' }, 'archived before (optional) '),
    before,
    ' ',
    selectionButtons('filter', `all matching ${type}`, false, () => ({ filter: filter() }), actions),
  );
}

/** A Mark and an Unmark button for the same selection, e.g. "Mark this page" / "Unmark this page". */
function selectionButtons(
  id: string,
  what: string,
  disabled: boolean,
  selection: () => Selection,
  actions: ArchivedActions,
): (HTMLElement | string)[] {
  return [
    h(
      'button',
      { type: 'button', id: `mark-${id}`, disabled, onclick: () => actions.mark(selection()) },
      `Mark ${what}`,
    ),
    ' ',
    h(
      'button',
      { type: 'button', id: `unmark-${id}`, disabled, onclick: () => actions.unmark(selection()) },
      `Unmark ${what}`,
    ),
  ];
}
