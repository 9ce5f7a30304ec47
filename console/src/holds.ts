import {
  LegalHoldsDocument,
  PlaceLegalHoldDocument,
  ReleaseLegalHoldDocument,
  type LegalHoldFieldsFragment,
  type ObjectType,
} from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render, renderOnChange } from './dom.js';
import { formatTime } from './format.js';
import { typePlural } from './labels.js';
import { errorText, latestOnly } from './loading.js';
import { scrollBox } from './object-table.js';

type Ref = { type: ObjectType; id: string };
/** Where a hold goes: objects by ref, or every archived object of the type (by filter). */
type HoldTarget = { refs: Ref[] } | { filter: { type: ObjectType } };

interface HoldActions {
  release(id: string): void;
}

/** What the recycle bin offers to hold: its selection if any, else the objects it shows. */
export interface HoldCandidates {
  type: ObjectType;
  refs: Ref[];
  selected: boolean;
}

/**
 * The legal holds page: a form to place one on the recycle bin's selection (or what it shows, or the
 * whole type), and the newest holds with Release. The reason field survives re-renders.
 */
export class HoldsScreen {
  readonly box = h('div');
  private readonly reason = h('input', {
    type: 'text',
    id: 'hold-reason',
    name: 'reason',
    maxlength: 1000,
    required: true,
  }) as HTMLInputElement;
  private candidates: HoldCandidates | undefined;
  private holds: { nodes: LegalHoldFieldsFragment[]; totalCount: number } | undefined;

  constructor(
    private readonly api: Api,
    private readonly pageSize: number,
    private readonly mutate: (action: () => Promise<string>) => void,
  ) {}

  readonly load = latestOnly(
    () => this.api.request(LegalHoldsDocument, { first: this.pageSize }),
    ({ legalHolds }) => {
      this.holds = { nodes: legalHolds.edges.map((edge) => edge.node), totalCount: legalHolds.totalCount };
      this.show();
    },
    (error) => render(this.box, errorText(error)),
  );

  /** Follows the recycle bin: what a hold would be placed on. */
  follow(candidates: HoldCandidates): void {
    this.candidates = candidates;
    this.show();
  }

  private show(): void {
    const actions = { release: (id: string) => this.mutate(() => this.release(id)) };
    renderOnChange(this.box, [this.candidates, this.holds], () => [
      this.placeForm(),
      this.holds ? holdsTable(this.holds.nodes, this.holds.totalCount, actions) : h('p', {}, 'Loading legal holds…'),
    ]);
  }

  private placeForm(): HTMLElement {
    const shown = this.candidates;
    const count = shown?.refs.length ?? 0;
    const place = (target: HoldTarget) => this.mutate(() => this.place(this.reason.value, target));
    return h(
      'fieldset',
      {},
      h('legend', {}, 'Place a legal hold: held objects can be neither marked nor permanently deleted'),
      h('label', { for: 'hold-reason' }, 'Reason (e.g. a case reference) '),
      this.reason,
      ' ',
      h(
        'button',
        { type: 'button', id: 'hold-page', disabled: count === 0, onclick: () => place({ refs: shown?.refs ?? [] }) },
        shown?.selected
          ? `Hold the ${count} object(s) selected in the recycle bin`
          : `Hold the ${count} archived object(s) shown above`,
      ),
      ' ',
      shown
        ? h(
            'button',
            { type: 'button', id: 'hold-filter', onclick: () => place({ filter: { type: shown.type } }) },
            `Hold all archived ${typePlural(shown.type).toLowerCase()}`,
          )
        : null,
    );
  }

  private async place(reason: string, target: HoldTarget): Promise<string> {
    const { placeLegalHold } = await this.api.request(PlaceLegalHoldDocument, { reason, ...target });
    this.reason.value = '';
    return `Legal hold placed on ${placeLegalHold.objectCount} object(s): they left the selection and any pending deletion.`;
  }

  private async release(id: string): Promise<string> {
    const { releaseLegalHold } = await this.api.request(ReleaseLegalHoldDocument, { id });
    return `Legal hold "${releaseLegalHold.reason}" released.`;
  }
}

function holdsTable(holds: LegalHoldFieldsFragment[], totalCount: number, actions: HoldActions): HTMLElement {
  if (holds.length === 0) return h('p', {}, 'No legal hold has been placed yet.');
  const table = h(
    'table',
    { id: 'holds-table' },
    h('caption', {}, `Legal holds (${holds.length} newest of ${totalCount})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Placed', 'By', 'Reason', 'Objects', 'Status', ''].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      holds.map((hold) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, formatTime(hold.placedAt)),
          h('td', {}, hold.placedBy.name),
          h('td', {}, hold.reason),
          h('td', {}, String(hold.objectCount)),
          h(
            'td',
            {},
            hold.active
              ? 'active'
              : `released by ${hold.releasedBy?.name ?? '—'} at ${formatTime(hold.releasedAt ?? hold.placedAt)}`,
          ),
          h(
            'td',
            {},
            hold.active
              ? h(
                  'button',
                  {
                    type: 'button',
                    id: `release-${hold.id}`,
                    'aria-label': `Release the hold "${hold.reason}"`,
                    onclick: () => actions.release(hold.id),
                  },
                  'Release',
                )
              : null,
          ),
        ),
      ),
    ),
  );
  return scrollBox(table, 'Legal holds');
}
