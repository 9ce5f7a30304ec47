import {
  DeletionSettingsDocument,
  UpdateDeletionSettingsDocument,
  type DeletionSettingsQuery,
} from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render } from './dom.js';
import { formatTime } from './format.js';
import { errorText, latestOnly } from './loading.js';
import { scrollBox } from './object-table.js';
import type { ConsoleShell } from './shell.js';

type Settings = DeletionSettingsQuery['deletionSettings'];
type Change = Settings['changes'][number];

const CHANGES = 20;

/** A setting's value in words: a number of days or hours, or "off". */
function valueText(value: number | null | undefined, unit: string): string {
  return value == null ? 'off' : `${value} ${unit}`;
}

/** What one change did, e.g. "Auto-mark: off → 90 days; reminder: 24 hours → 48 hours". */
export function changeText(change: Change): string {
  const parts: string[] = [];
  if (change.oldAutoMarkAfterDays !== change.newAutoMarkAfterDays) {
    const [from, to] = [change.oldAutoMarkAfterDays, change.newAutoMarkAfterDays].map((v) => valueText(v, 'days'));
    parts.push(`auto-mark after ${from} → ${to}`);
  }
  if (change.oldReminderHoursBefore !== change.newReminderHoursBefore) {
    const [from, to] = [change.oldReminderHoursBefore, change.newReminderHoursBefore].map((v) => valueText(v, 'hours'));
    parts.push(`reminder ${from} → ${to} before execution`);
  }
  return parts.length > 0 ? parts.join('; ') : 'saved without a change';
}

/** A number input that may be left empty ("off"). */
function numberField(id: string, label: string, help: string, value: number | null | undefined, max: number) {
  const input = h('input', {
    type: 'number',
    id,
    min: 1,
    max,
    value: value ?? undefined,
    'aria-describedby': `${id}-help`,
  });
  return {
    input,
    element: h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      input,
      h('small', { id: `${id}-help` }, help),
    ),
  };
}

/** The retention settings: auto-mark and reminder, who changed them last, and the history of changes. */
export class SettingsScreen {
  readonly box = h('div', {}, h('p', {}, 'Loading the settings…'));

  constructor(
    private readonly api: Api,
    private readonly shell: ConsoleShell,
  ) {}

  readonly load = latestOnly(
    () => this.api.request(DeletionSettingsDocument, { changes: CHANGES }),
    ({ deletionSettings }) => this.show(deletionSettings),
    (error) => render(this.box, errorText(error)),
  );

  private show(settings: Settings): void {
    const autoMark = numberField(
      'auto-mark-days',
      'Mark archived objects automatically after (days)',
      'Empty: off. Objects archived longer than this are marked for the next deletion.',
      settings.autoMarkAfterDays,
      3650,
    );
    const reminder = numberField(
      'reminder-hours',
      'Remind admins before a deletion executes (hours)',
      'Empty: off. Every admin is notified this long before a pending deletion executes.',
      settings.reminderHoursBefore,
      167,
    );
    const form = h(
      'form',
      { id: 'settings-form', 'aria-label': 'Retention settings' },
      h('div', { class: 'fields' }, autoMark.element, reminder.element),
      h('p', {}, h('button', { type: 'submit', id: 'save-settings' }, 'Save settings')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const read = (input: HTMLInputElement) => (input.value === '' ? null : Number(input.value));
      void this.save(read(autoMark.input), read(reminder.input));
    });
    const last = settings.updatedBy
      ? `Last changed by ${settings.updatedBy.name} at ${formatTime(settings.updatedAt)}.`
      : 'Never changed: the defaults apply.';
    render(this.box, form, h('p', { id: 'settings-last' }, last), this.changesTable(settings.changes));
  }

  private changesTable(changes: Change[]): HTMLElement {
    if (changes.length === 0) return h('p', {}, 'No change has been made yet.');
    const table = h(
      'table',
      { id: 'settings-changes' },
      h('caption', {}, `Changes to the settings (newest ${changes.length})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['When', 'Who', 'What changed'].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h(
        'tbody',
        {},
        changes.map((change) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, formatTime(change.changedAt)),
            h('td', {}, change.changedBy?.name ?? '—'),
            h('td', {}, changeText(change)),
          ),
        ),
      ),
    );
    return scrollBox(table, 'Changes to the settings');
  }

  private async save(autoMarkAfterDays: number | null, reminderHoursBefore: number | null): Promise<void> {
    await this.shell.run(async () => {
      await this.api.request(UpdateDeletionSettingsDocument, { input: { autoMarkAfterDays, reminderHoursBefore } });
      return `Settings saved: auto-mark ${valueText(autoMarkAfterDays, 'days')}, reminder ${valueText(reminderHoursBefore, 'hours')}.`;
    });
    await this.load();
  }
}
