import type { MarkFilterInput, ObjectFieldsFragment, ObjectType } from '../../operations/generated.js';
import { h } from './dom.js';
import { objectTable, type ObjectPage, pagingButtons, type PagingActions } from './object-table.js';

/** What to mark or unmark: some objects by reference, or every archived object matching a filter. */
export type Selection = { refs: { type: ObjectType; id: string }[] } | { filter: MarkFilterInput };

export interface ArchivedActions extends PagingActions {
  mark(selection: Selection): void;
  unmark(selection: Selection): void;
  showOnlyMarked(onlyMarked: boolean): void;
}

/** One page of a type's archived objects (or only the marked ones), with mark and unmark for a row, the page, or a filter. */
export function archivedView(
  type: ObjectType,
  page: ObjectPage,
  isFirstPage: boolean,
  onlyMarked: boolean,
  actions: ArchivedActions,
): HTMLElement {
  const pageRefs = page.edges.map(({ node: { type, id } }) => ({ type, id }));
  return h(
    'div',
    {},
    h(
      'p',
      {},
      h('input', {
        type: 'checkbox',
        id: 'only-marked',
        checked: onlyMarked,
        onchange: (event: Event) => actions.showOnlyMarked((event.target as HTMLInputElement).checked),
      }),
      h('label', { for: 'only-marked' }, ' Show only marked'),
    ),
    objectTable('archived-table', `${onlyMarked ? 'Marked' : 'Archived'} ${type}`, page, (object) =>
      markToggle(object, actions),
    ),
    h(
      'p',
      {},
      pagingButtons('archived', `archived ${type}`, page, isFirstPage, actions),
      ' ',
      selectionButtons('page', 'this page', pageRefs.length === 0, () => ({ refs: pageRefs }), actions),
    ),
    filterForm(type, actions),
  );
}

/** Mark or Unmark for one object; nothing to do for one in the pending deletion. */
function markToggle(object: ObjectFieldsFragment, actions: ArchivedActions): Node | string {
  if (object.deletionState === 'PENDING') return 'in the pending deletion';
  if (object.onHold) return 'on legal hold';
  const refs = [{ type: object.type, id: object.id }];
  const marked = object.deletionState === 'MARKED';
  return h(
    'button',
    {
      type: 'button',
      id: `toggle-${object.id}`,
      'aria-label': marked ? `Unmark ${object.title}` : `Mark ${object.title} for deletion`,
      onclick: () => (marked ? actions.unmark({ refs }) : actions.mark({ refs })),
    },
    marked ? 'Unmark' : 'Mark',
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
