import {
  ArchivedObjectsDocument,
  MarkForDeletionDocument,
  RestoreObjectsDocument,
  UnmarkForDeletionDocument,
  type MarkFilterInput,
  type ObjectFieldsFragment,
  type ObjectType,
} from '../../operations/generated.js';
import type { Api } from './api.js';
import { archivedFilter, emptyQuery, filterForm, isNarrowed, type BinQuery } from './bin-filters.js';
import { h, render, renderOnChange } from './dom.js';
import type { HoldCandidates } from './holds.js';
import { typePlural } from './labels.js';
import { errorText, latestOnly } from './loading.js';
import { objectTable, type ObjectPage, pagingButtons } from './object-table.js';

type Ref = { type: ObjectType; id: string };
/** What to mark or unmark: objects by reference, or every archived object matching a filter. */
type Selection = { refs: Ref[] } | { filter: MarkFilterInput };

/** The listed keys of `value` that it has. */
function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]])) as Partial<
    Pick<T, K>
  >;
}

/** Who uses the bin: a member restores their own objects; an admin also marks and unmarks. */
export interface BinHost {
  isAdmin: boolean;
  me: { id: string; name: string };
  /** Runs a mutation through the console (status line, errors, reloads). */
  mutate(action: () => Promise<string>): void;
  /** Told what the bin shows and has selected after each change (an admin's legal holds place on it). */
  shown?(candidates: HoldCandidates): void;
}

/** The sentence shown instead of the marking buttons while a deletion is pending. */
export const MARKING_CLOSED =
  'Marking is closed while a deletion is pending: cancel it (or let it complete) to change the selection.';

/**
 * The recycle bin: archived objects of one type, searched and filtered, with a selection for bulk
 * Restore (everyone) and Mark / Unmark (admins). The selection lives here, across reloads caused
 * by events, and is cleared when the search or the page changes.
 */
export class RecycleBin {
  readonly box = h('div', {}, h('p', {}, 'Loading archived objects…'));
  private query: BinQuery = emptyQuery('CONTACT');
  private after: string | undefined;
  private readonly selected = new Map<string, Ref>();
  private readonly archivers = new Map<string, string>();
  markingClosed = false;

  constructor(
    private readonly api: Api,
    private readonly host: BinHost,
    private readonly pageSize: number,
  ) {
    this.archivers.set(host.me.id, `Me (${host.me.name})`);
  }

  /** Shows `type` from its first page, keeping the other filters. */
  showType(type: ObjectType): void {
    this.search({ ...this.query, type });
  }

  get type(): ObjectType {
    return this.query.type;
  }

  readonly load = latestOnly(
    async () => {
      const variables = {
        type: this.query.type,
        first: this.pageSize,
        after: this.after,
        filter: archivedFilter(this.query),
      };
      return (await this.api.request(ArchivedObjectsDocument, variables)).archivedObjects;
    },
    (page) => this.show(page),
    (error) => render(this.box, errorText(error)),
  );

  private search(query: BinQuery, after?: string): void {
    this.query = query;
    this.after = after;
    this.selected.clear();
    void this.load();
  }

  private show(page: ObjectPage): void {
    for (const { node } of page.edges) {
      if (node.archivedBy && !this.archivers.has(node.archivedBy.id))
        this.archivers.set(node.archivedBy.id, node.archivedBy.name);
    }
    const visible = new Set(page.edges.map(({ node }) => node.id));
    for (const id of this.selected.keys()) if (!visible.has(id)) this.selected.delete(id);
    const selected = this.selected.size > 0;
    const refs = selected
      ? [...this.selected.values()]
      : page.edges.map(({ node }) => ({ type: node.type, id: node.id }));
    this.host.shown?.({ type: this.query.type, refs, selected });
    const source = [page, this.query, this.after, [...this.selected.keys()], this.markingClosed, [...this.archivers]];
    renderOnChange(this.box, source, () => [
      filterForm(this.query, this.archivers, (query) => this.search(query)),
      this.bulkBar(),
      page.edges.length === 0 ? this.emptyState() : this.table(page),
      h(
        'p',
        {},
        pagingButtons('archived', `archived ${typePlural(this.query.type)}`, page, this.after === undefined, {
          nextPage: (cursor) => this.search(this.query, cursor),
          firstPage: () => this.search(this.query),
        }),
      ),
      this.host.isAdmin ? this.byDateForm() : null,
    ]);
  }

  private emptyState(): HTMLElement {
    const what = typePlural(this.query.type).toLowerCase();
    return h(
      'p',
      { id: 'bin-empty' },
      isNarrowed(this.query)
        ? `No archived ${what} match these filters. Change or clear the filters to see more.`
        : `There are no archived ${what}. Objects appear here when someone archives them.`,
    );
  }

  private table(page: ObjectPage): HTMLElement {
    const caption = `Archived ${typePlural(this.query.type)}`;
    const all = h('input', {
      type: 'checkbox',
      id: 'select-page',
      'aria-label': 'Select every object on this page',
      checked: page.edges.length > 0 && page.edges.every(({ node }) => this.selected.has(node.id)),
      onchange: (event: Event) => {
        const on = (event.target as HTMLInputElement).checked;
        for (const { node } of page.edges) this.choose(node, on);
        this.show(page);
      },
    });
    return objectTable('archived-table', caption, page, {
      select: { header: all, cell: (object) => this.checkbox(object, page) },
      action: this.host.isAdmin ? (object) => this.markToggle(object) : (object) => this.restoreButton(object),
    });
  }

  private choose(object: ObjectFieldsFragment, on: boolean): void {
    if (on) this.selected.set(object.id, { type: object.type, id: object.id });
    else this.selected.delete(object.id);
  }

  private checkbox(object: ObjectFieldsFragment, page: ObjectPage): HTMLElement {
    return h('input', {
      type: 'checkbox',
      id: `select-${object.id}`,
      'aria-label': `Select ${object.title}`,
      checked: this.selected.has(object.id),
      onchange: (event: Event) => {
        this.choose(object, (event.target as HTMLInputElement).checked);
        this.show(page);
      },
    });
  }

  /** "3 selected" with Restore (and Mark / Unmark for admins) for the selection. */
  private bulkBar(): HTMLElement {
    const refs = [...this.selected.values()];
    const none = refs.length === 0;
    const closed = this.markingClosed;
    const button = (id: string, text: string, disabled: boolean, run: () => Promise<string>) =>
      h('button', { type: 'button', id, disabled, onclick: () => this.host.mutate(run) }, text);
    return h(
      'div',
      { id: 'bulk-actions', role: 'group', 'aria-label': 'Actions on the selected objects' },
      h('span', { id: 'selected-count' }, `${refs.length} selected`),
      ' ',
      button('restore-selected', 'Restore selected', none, () => this.restore(refs)),
      this.host.isAdmin
        ? [' ', button('mark-selected', 'Mark selected', none || closed, () => this.mark({ refs }))]
        : null,
      this.host.isAdmin
        ? [' ', button('unmark-selected', 'Unmark selected', none || closed, () => this.unmark({ refs }))]
        : null,
      this.host.isAdmin && closed ? h('p', { id: 'marking-closed' }, MARKING_CLOSED) : null,
    );
  }

  /**
   * Mark / Unmark every archived object of the type in the search's dates, however many pages: by
   * filter, so tasks not yet Removed or Verified are skipped (and counted) rather than refusing all.
   */
  private byDateForm(): HTMLElement {
    const plural = typePlural(this.query.type);
    const filter: MarkFilterInput = {
      type: this.query.type,
      ...pick(archivedFilter(this.query), ['archivedAfter', 'archivedBefore']),
    };
    const closed = this.markingClosed;
    return h(
      'fieldset',
      { id: 'by-date' },
      h('legend', {}, `Every archived ${plural.toLowerCase()} in the dates searched`),
      h(
        'button',
        {
          type: 'button',
          id: 'mark-filter',
          disabled: closed,
          onclick: () => this.host.mutate(() => this.mark({ filter })),
        },
        `Mark all archived ${plural}`,
      ),
      ' ',
      h(
        'button',
        {
          type: 'button',
          id: 'unmark-filter',
          disabled: closed,
          onclick: () => this.host.mutate(() => this.unmark({ filter })),
        },
        `Unmark all archived ${plural}`,
      ),
    );
  }

  private markToggle(object: ObjectFieldsFragment): Node | string {
    if (object.deletionState === 'PENDING') return 'in the pending deletion';
    if (object.onHold) return 'on legal hold';
    const refs = [{ type: object.type, id: object.id }];
    const marked = object.deletionState === 'MARKED';
    return h(
      'button',
      {
        type: 'button',
        id: `toggle-${object.id}`,
        disabled: this.markingClosed,
        'aria-label': marked ? `Unmark ${object.title}` : `Mark ${object.title} for deletion`,
        onclick: () => this.host.mutate(() => (marked ? this.unmark({ refs }) : this.mark({ refs }))),
      },
      marked ? 'Unmark' : 'Mark',
    );
  }

  private restoreButton(object: ObjectFieldsFragment): Node {
    const refs = [{ type: object.type, id: object.id }];
    return h(
      'button',
      {
        type: 'button',
        id: `restore-${object.id}`,
        'aria-label': `Restore ${object.title}`,
        onclick: () => this.host.mutate(() => this.restore(refs)),
      },
      'Restore',
    );
  }

  private async restore(refs: Ref[]): Promise<string> {
    const { restoreObjects } = await this.api.request(RestoreObjectsDocument, { refs });
    this.selected.clear();
    return `Restored ${restoreObjects.length} object(s): they are back in the CRM.`;
  }

  private async mark(selection: Selection): Promise<string> {
    const { markForDeletion } = await this.api.request(MarkForDeletionDocument, selection);
    this.selected.clear();
    const skipped =
      (markForDeletion.skippedTasks
        ? ` (${markForDeletion.skippedTasks} task(s) skipped: only Removed or Verified tasks can be deleted)`
        : '') +
      (markForDeletion.skippedHeld ? ` (${markForDeletion.skippedHeld} object(s) on legal hold skipped)` : '');
    return `Marked ${markForDeletion.changed ?? 0} object(s)${skipped}.`;
  }

  private async unmark(selection: Selection): Promise<string> {
    const { unmarkForDeletion } = await this.api.request(UnmarkForDeletionDocument, selection);
    this.selected.clear();
    return `Unmarked ${unmarkForDeletion.changed ?? 0} object(s).`;
  }
}
