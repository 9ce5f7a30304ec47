import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  DeletionExportUrlDocument,
  DeletionOverviewDocument,
  DeletionSettingsDocument,
  MarkNotificationsReadDocument,
  NotificationsDocument,
  type DeletionFieldsFragment,
  type MeQuery,
  type OverviewFieldsFragment,
} from '../../operations/generated.js';
import type { Api, DeletionEvent } from './api.js';
import { confirmDialog } from './confirm.js';
import { h, render, renderOnChange, section } from './dom.js';
import { Feed } from './feed.js';
import { formatBytes, formatTime, formatVolume } from './format.js';
import { History } from './history.js';
import { HoldsScreen } from './holds.js';
import { typePlural } from './labels.js';
import { errorText, latestOnly } from './loading.js';
import { overviewTable, pendingPanel, tickCountdowns } from './overview.js';
import { PendingObjects } from './pending-objects.js';
import { RecycleBin } from './recycle-bin.js';
import { changeText, SettingsScreen } from './settings.js';
import { type ConsoleShell } from './shell.js';
import { WebhooksPanel } from './webhooks.js';

const PAGE_SIZE = 20;
const HISTORY_SIZE = 20;
const NOTIFICATIONS_SIZE = 50;

/** What the status line says after another admin's action arrives as an event. */
const EVENT_SENTENCES: Record<string, string> = {
  ACTIVATED: 'A deletion was activated',
  CANCELLED: 'The pending deletion was cancelled',
  COMPLETED: 'The deletion completed: its objects are gone for good',
  FAILED: 'The deletion failed: its objects stay archived and marked',
  REMINDER: 'Reminder: the pending deletion executes soon',
  HOLD_PLACED: 'A legal hold was placed',
  HOLD_RELEASED: 'A legal hold was released',
};

/** The admin's screen: the recycle bin, the per-type overview, the pending deletion, history and notifications. */
export class AdminConsole {
  private readonly overviewBox = h('div');
  private readonly pendingBox = h('div');
  private readonly liveStatus = h('p', { id: 'live-status', role: 'status' }, 'Live updates: connecting…');
  private readonly feed = new Feed();
  private readonly pendingObjects: PendingObjects;
  private readonly bin: RecycleBin;
  private readonly settings: SettingsScreen;
  private readonly history: History;
  private readonly holds: HoldsScreen;
  private readonly webhooks: WebhooksPanel;
  private overview: OverviewFieldsFragment | undefined;
  private connections = 0;
  /** Ends the event subscription; replaced once it starts. */
  private stopEvents = (): void => undefined;

  constructor(
    private readonly api: Api,
    private readonly me: MeQuery['me'],
    private readonly shell: ConsoleShell,
  ) {
    this.pendingObjects = new PendingObjects(api, PAGE_SIZE);
    this.settings = new SettingsScreen(api, shell);
    this.history = new History(api, HISTORY_SIZE);
    this.holds = new HoldsScreen(api, HISTORY_SIZE, (action) => void this.mutate(action));
    this.webhooks = new WebhooksPanel(api, (action) => this.mutate(action));
    this.bin = new RecycleBin(
      api,
      {
        isAdmin: true,
        me,
        mutate: (action) => void this.mutate(action),
        shown: (candidates) => this.holds.follow(candidates),
      },
      PAGE_SIZE,
    );
  }

  start(): void {
    this.shell.showViewer(this.me, () => this.stopEvents());
    render(
      this.shell.app,
      this.shell.statusLine,
      section('archived', 'Recycle bin: archived objects', this.bin.box),
      section('overview', 'Objects that can be permanently deleted', this.overviewBox),
      section('pending-section', 'Pending deletion', this.pendingBox, this.pendingObjects.box),
      section('history', 'History of deletions', this.history.box),
      section('settings', 'Retention settings', this.settings.box),
      section('holds', 'Legal holds', this.holds.box),
      section('webhooks', 'Webhooks', this.webhooks.box),
      section(
        'notifications',
        'Notifications',
        this.liveStatus,
        h('button', { type: 'button', id: 'mark-read', onclick: () => void this.markAllRead() }, 'Mark all read'),
        this.feed.list,
      ),
    );
    setInterval(() => tickCountdowns(), 1000);
    void this.refresh();
    void this.settings.load();
    void this.webhooks.load();
    this.startEvents();
  }

  /** Opens the event subscription with the current token; again after a renewal (the old socket ends with its token). */
  startEvents(): void {
    this.stopEvents();
    this.stopEvents = this.api.subscribeToDeletionEvents({
      onEvent: (event) => this.onEvent(event),
      onConnected: () => void this.onConnected(),
      onDisconnected: () => render(this.liveStatus, 'Live updates: reconnecting…'),
      onError: (error) => render(this.liveStatus, 'Live updates stopped: ', errorText(error)),
    });
  }

  private refresh(): Promise<unknown> {
    return Promise.all([this.loadOverview(), this.history.load(), this.holds.load()]).then(() => this.bin.load());
  }

  private readonly loadOverview = latestOnly(
    () => this.api.request(DeletionOverviewDocument, {}),
    ({ deletionOverview }) => this.showOverview(deletionOverview),
    (error) => {
      render(this.overviewBox, errorText(error));
      render(this.pendingBox, errorText(error));
    },
  );

  private showOverview(overview: OverviewFieldsFragment): void {
    this.overview = overview;
    this.bin.markingClosed = Boolean(overview.pending);
    const actions = {
      showArchived: (type: OverviewFieldsFragment['types'][number]['type']) => {
        this.bin.showType(type);
        document.getElementById('archived-title')?.scrollIntoView();
      },
      activate: () => void this.activate(),
      cancel: () => void this.cancel(),
      exportZip: (id: string) => void this.exportZip(id),
    };
    renderOnChange(this.overviewBox, overview, () => overviewTable(overview, actions));
    renderOnChange(this.pendingBox, overview.pending, () =>
      overview.pending ? pendingPanel(overview.pending, actions) : h('p', {}, 'No deletion is pending.'),
    );
    this.pendingObjects.follow(overview.pending);
  }

  /** Runs a mutation, says what it did (or shows its error), then reloads what it may have changed. */
  private async mutate(action: () => Promise<string>): Promise<void> {
    await this.shell.run(action);
    await Promise.all([this.refresh(), this.webhooks.load()]);
  }

  /** Asks with the counts and bytes of the selection, then activates. */
  private async activate(): Promise<void> {
    const types = (this.overview?.types ?? []).filter((row) => row.marked.count > 0);
    const count = types.reduce((sum, row) => sum + row.marked.count, 0);
    const bytes = types.reduce((sum, row) => sum + row.marked.bytes, 0);
    const confirmed = await confirmDialog({
      title: 'Activate permanent deletion?',
      body: [
        h('p', {}, `${count} marked object(s) with ${formatBytes(bytes)} of attachments will be deleted for good:`),
        h(
          'ul',
          {},
          types.map((row) => h('li', {}, `${typePlural(row.type)}: ${formatVolume(row.marked)}`)),
        ),
        h('p', {}, 'They are deleted when the retention period ends, unless an admin cancels before then.'),
      ],
      confirmLabel: 'Activate deletion',
    });
    if (!confirmed) return;
    await this.mutate(async () => {
      const { activateDeletion } = await this.api.request(ActivateDeletionDocument, {});
      return `Deletion activated: it executes at ${formatTime(activateDeletion.executeAfter)} unless an admin cancels it.`;
    });
  }

  /** Asks with what the pending deletion holds and who activated it, then cancels. */
  private async cancel(): Promise<void> {
    const pending: DeletionFieldsFragment | null | undefined = this.overview?.pending;
    if (!pending) return;
    const confirmed = await confirmDialog({
      title: 'Cancel the pending deletion?',
      body: [
        h(
          'p',
          {},
          `It holds ${pending.total.count} object(s) with ${formatBytes(pending.total.bytes)} of attachments, ` +
            `activated by ${pending.activatedBy.name} at ${formatTime(pending.activatedAt)}.`,
        ),
        h('p', {}, 'Nothing is deleted; the objects stay archived and marked, ready for a new activation.'),
      ],
      confirmLabel: 'Cancel deletion',
    });
    if (!confirmed) return;
    await this.mutate(async () => {
      await this.api.request(CancelDeletionDocument, { id: pending.id });
      return 'Deletion cancelled: its objects stay marked, ready for a new activation.';
    });
  }

  /** The pending deletion's export, fetched with the token and saved as a file. */
  private async exportZip(id: string): Promise<void> {
    await this.shell.run(async () => {
      const { deletion } = await this.api.request(DeletionExportUrlDocument, { id });
      if (!deletion?.exportUrl) return 'There is no export: the deletion is no longer pending.';
      await this.api.download(deletion.exportUrl, `deletion-${id}.zip`);
      return 'The export of the pending deletion was downloaded.';
    });
  }

  private onEvent(event: DeletionEvent): void {
    this.feed.addEvent(event);
    // The admin's own action already said what it did in the status line.
    if (event.type !== 'PROGRESS' && event.actor?.id !== this.me.id) {
      const by = event.actor ? ` by ${event.actor.name}` : '';
      render(this.shell.statusLine, `${EVENT_SENTENCES[event.type] ?? event.type}${by}.`);
    }
    // PROGRESS only moves the pending deletion's figures; the other events change every view.
    void (event.type === 'PROGRESS' ? this.loadOverview() : this.refresh());
  }

  /** Each (re)connection: catch up on what was missed while the socket was down. */
  private async onConnected(): Promise<void> {
    render(this.liveStatus, 'Live updates: connected');
    if (++this.connections > 1) void this.refresh();
    try {
      const unread = { unreadOnly: true, first: NOTIFICATIONS_SIZE };
      const { notifications } = await this.api.request(NotificationsDocument, unread);
      const nodes = notifications.edges.map((edge) => edge.node);
      const settingsChanged = nodes.some((node) => node.kind === 'DELETION_SETTINGS_CHANGED');
      this.feed.addNotifications(nodes, settingsChanged ? await this.settingsChanges() : undefined);
      if (settingsChanged) void this.settings.load();
    } catch (error) {
      this.shell.showError(error);
    }
  }

  /** Describes the settings change behind a notification written at `at`: what changed and who. */
  private async settingsChanges(): Promise<(at: string) => string | undefined> {
    const { deletionSettings } = await this.api.request(DeletionSettingsDocument, { changes: 50 });
    return (at) => {
      const limit = new Date(at).getTime() + 1000;
      const change = deletionSettings.changes.find((c) => new Date(c.changedAt).getTime() <= limit);
      return change && `by ${change.changedBy?.name ?? 'an admin'}: ${changeText(change)}`;
    };
  }

  private async markAllRead(): Promise<void> {
    try {
      const unread = { unreadOnly: true, first: NOTIFICATIONS_SIZE };
      const { notifications } = await this.api.request(NotificationsDocument, unread);
      const ids = notifications.edges.map((edge) => edge.node.id);
      if (ids.length > 0) await this.api.request(MarkNotificationsReadDocument, { ids });
      this.feed.clear();
    } catch (error) {
      this.shell.showError(error);
    }
  }
}
