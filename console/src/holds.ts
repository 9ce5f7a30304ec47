import type { LegalHoldFieldsFragment, ObjectType } from '../../operations/generated.js';
import { h } from './dom.js';
import { formatTime } from './format.js';

/** Where a hold goes: the archived objects on screen (by ref), or every archived object of the type (by filter). */
export type HoldTarget = { refs: { type: ObjectType; id: string }[] } | { filter: { type: ObjectType } };

export interface HoldActions {
  place(reason: string, target: HoldTarget): void;
  release(id: string): void;
}

/** The legal holds page: a form to place one on what the archived table shows, and every hold with Release. */
export function holdsView(
  holds: LegalHoldFieldsFragment[],
  totalCount: number,
  shown: { type: ObjectType | undefined; refs: { type: ObjectType; id: string }[] },
  actions: HoldActions,
): HTMLElement {
  return h('div', {}, placeForm(shown, actions), holdsTable(holds, totalCount, actions));
}

function placeForm(
  shown: { type: ObjectType | undefined; refs: { type: ObjectType; id: string }[] },
  actions: HoldActions,
): HTMLElement {
  const reason = h('input', { type: 'text', id: 'hold-reason', name: 'reason', maxlength: 1000, required: true });
  const type = shown.type;
  return h(
    'fieldset',
    {},
    h('legend', {}, 'Place a legal hold: held objects can be neither marked nor permanently deleted'),
    h('label', { for: 'hold-reason' }, 'Reason (e.g. a case reference) '),
    reason,
    ' ',
    h(
      'button',
      {
        type: 'button',
        id: 'hold-page',
        disabled: shown.refs.length === 0,
        onclick: () => actions.place(reason.value, { refs: shown.refs }),
      },
      `Hold the ${shown.refs.length} archived object(s) shown above`,
    ),
    ' ',
    type
      ? h(
          'button',
          { type: 'button', id: 'hold-filter', onclick: () => actions.place(reason.value, { filter: { type } }) },
          `Hold every archived ${type}`,
        )
      : null,
  );
}

function holdsTable(holds: LegalHoldFieldsFragment[], totalCount: number, actions: HoldActions): HTMLElement {
  if (holds.length === 0) return h('p', {}, 'No legal hold has been placed yet.');
  return h(
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
}
