import type { ArchivedFilter, DeletionState, ObjectType } from '../../operations/generated.js';
import { h } from './dom.js';
import { STATE_LABELS, TYPE_LABELS } from './labels.js';

/** The recycle bin's search, as the form holds it (dates as yyyy-mm-dd, '' for "any"). */
export interface BinQuery {
  type: ObjectType;
  titleContains: string;
  archivedFrom: string;
  archivedUntil: string;
  state: DeletionState | '';
  archivedBy: string;
}

/** The start of a local day, as an instant; `days` moves it (the end of "until" is the next day's start). */
function dayStart(day: string, days = 0): string {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + days);
  return date.toISOString();
}

/** The API filter for a query: both dates inclusive, empty parts left out. */
export function archivedFilter(query: BinQuery): ArchivedFilter {
  return {
    ...(query.titleContains.trim() ? { titleContains: query.titleContains.trim() } : {}),
    ...(query.archivedFrom ? { archivedAfter: dayStart(query.archivedFrom) } : {}),
    ...(query.archivedUntil ? { archivedBefore: dayStart(query.archivedUntil, 1) } : {}),
    ...(query.state ? { deletionState: [query.state] } : {}),
    ...(query.archivedBy ? { archivedBy: query.archivedBy } : {}),
  };
}

/** Whether anything beyond the type narrows the list (for the empty-state sentence). */
export function isNarrowed(query: BinQuery): boolean {
  return Object.keys(archivedFilter(query)).length > 0;
}

/** A labelled form control in its own cell of the filter grid. */
function field(id: string, label: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function select(name: string, value: string, options: [string, string][]): HTMLSelectElement {
  return h(
    'select',
    { name },
    options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === value }, text)),
  );
}

/**
 * The search form: type, title, archived between two dates, deletion state and who archived.
 * `archivers` are the people the bin has seen archive something (the API has no user list), plus "me".
 */
export function filterForm(
  query: BinQuery,
  archivers: Map<string, string>,
  search: (query: BinQuery) => void,
): HTMLElement {
  const controls = {
    type: select('type', query.type, Object.entries(TYPE_LABELS)),
    titleContains: h('input', { type: 'search', name: 'titleContains', value: query.titleContains }),
    archivedFrom: h('input', { type: 'date', name: 'archivedFrom', value: query.archivedFrom }),
    archivedUntil: h('input', { type: 'date', name: 'archivedUntil', value: query.archivedUntil }),
    state: select('state', query.state, [['', 'Any state'], ...Object.entries(STATE_LABELS)]),
    archivedBy: select('archivedBy', query.archivedBy, [['', 'Anyone'], ...archivers.entries()]),
  };
  const read = (): BinQuery => ({
    type: controls.type.value as ObjectType,
    titleContains: controls.titleContains.value,
    archivedFrom: controls.archivedFrom.value,
    archivedUntil: controls.archivedUntil.value,
    state: controls.state.value as DeletionState | '',
    archivedBy: controls.archivedBy.value,
  });
  // The form is drawn again only once results arrive: the cleared filters show at once, so a change
  // made meanwhile (another select) searches with them, not with the ones just cleared.
  const clear = () => {
    const empty = emptyQuery(controls.type.value as ObjectType);
    controls.titleContains.value = empty.titleContains;
    controls.archivedFrom.value = empty.archivedFrom;
    controls.archivedUntil.value = empty.archivedUntil;
    controls.state.value = empty.state;
    controls.archivedBy.value = empty.archivedBy;
    search(read());
  };
  const form = h(
    'form',
    { id: 'bin-filters', role: 'search', 'aria-label': 'Search archived objects' },
    h(
      'div',
      { class: 'fields' },
      field('bin-type', 'Type', controls.type),
      field('bin-title', 'Title contains', controls.titleContains),
      field('bin-from', 'Archived from', controls.archivedFrom),
      field('bin-until', 'Archived until', controls.archivedUntil),
      field('bin-state', 'Deletion state', controls.state),
      field('bin-archived-by', 'Archived by', controls.archivedBy),
    ),
    h(
      'p',
      {},
      h('button', { type: 'submit', id: 'bin-search' }, 'Search'),
      ' ',
      h('button', { type: 'button', id: 'bin-clear', onclick: clear }, 'Clear filters'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    search(read());
  });
  // The type and the selects apply at once; text and dates on Search (or Enter).
  for (const control of [controls.type, controls.state, controls.archivedBy]) {
    control.addEventListener('change', () => search(read()));
  }
  return form;
}

/** A query that shows every archived object of `type`. */
export function emptyQuery(type: ObjectType): BinQuery {
  return { type, titleContains: '', archivedFrom: '', archivedUntil: '', state: '', archivedBy: '' };
}
