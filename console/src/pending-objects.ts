import { DeletionObjectsDocument, type DeletionFieldsFragment, type ObjectType } from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render, renderOnChange } from './dom.js';
import { errorText, latestOnly } from './loading.js';
import { formatVolume } from './format.js';
import { typePlural } from './labels.js';
import { objectTable, type ObjectPage, pagingButtons, type PagingActions } from './object-table.js';

interface PendingObjectsActions extends PagingActions {
  showType(type: ObjectType): void;
}

/** The types the pending deletion holds objects of, in the overview's order. */
function typesIn(pending: DeletionFieldsFragment): ObjectType[] {
  return pending.byType.filter(({ volume }) => volume.count > 0).map(({ type }) => type);
}

/** The pending deletion's objects of one type, a page at a time, with a button per type it holds. */
function pendingObjectsView(
  pending: DeletionFieldsFragment,
  type: ObjectType,
  page: ObjectPage,
  isFirstPage: boolean,
  actions: PendingObjectsActions,
): HTMLElement {
  const typeButtons = pending.byType
    .filter(({ volume }) => volume.count > 0)
    .map(({ type: shown, volume }) =>
      h(
        'button',
        {
          type: 'button',
          id: `pending-type-${shown}`,
          'aria-pressed': String(shown === type),
          onclick: () => actions.showType(shown),
        },
        `${typePlural(shown)} (${formatVolume(volume)})`,
      ),
    );
  return h(
    'div',
    { id: 'pending-objects' },
    h('p', {}, 'Its objects: ', typeButtons),
    objectTable('pending-objects-table', `${typePlural(type)} in the pending deletion`, page),
    h('p', {}, pagingButtons('pending', `${typePlural(type)} in the pending deletion`, page, isFirstPage, actions)),
  );
}

/** The pending deletion's objects panel: follows the overview's pending deletion and pages through it. */
export class PendingObjects {
  readonly box = h('div');
  private pending: DeletionFieldsFragment | undefined;
  private type: ObjectType | undefined;
  private after: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly pageSize: number,
  ) {}

  /** Called with each overview: shows the pending deletion's objects, or nothing once there is none. */
  follow(pending: DeletionFieldsFragment | null): void {
    if (!pending) {
      this.pending = this.type = this.after = undefined;
      render(this.box);
      return;
    }
    const types = typesIn(pending);
    // A new deletion starts at its first type; the same one keeps the reader's type and page.
    if (this.pending?.id !== pending.id || !this.type || !types.includes(this.type)) {
      this.type = types[0];
      this.after = undefined;
    }
    this.pending = pending;
    void this.load();
  }

  private readonly load = latestOnly(
    async () => {
      const { pending, type, after } = this;
      if (!pending || !type) return undefined;
      const variables = { id: pending.id, type, first: this.pageSize, after };
      const { deletion } = await this.api.request(DeletionObjectsDocument, variables);
      return deletion && { pending, type, page: deletion.objects };
    },
    (result) => {
      if (!result) return render(this.box);
      const actions = {
        showType: (type: ObjectType) => this.showAndLoad(type),
        nextPage: (cursor: string) => this.showAndLoad(result.type, cursor),
        firstPage: () => this.showAndLoad(result.type),
      };
      renderOnChange(this.box, [result, this.after], () =>
        pendingObjectsView(result.pending, result.type, result.page, this.after === undefined, actions),
      );
    },
    (error) => render(this.box, errorText(error)),
  );

  private showAndLoad(type: ObjectType, after?: string): void {
    this.type = type;
    this.after = after;
    void this.load();
  }
}
