import {
  ActivateDeletionDocument,
  ArchivedObjectsDocument,
  CancelDeletionDocument,
  DeletionOverviewDocument,
  LegalHoldsDocument,
  DeletionHistoryDocument,
  MarkForDeletionDocument,
  PlaceLegalHoldDocument,
  ReleaseLegalHoldDocument,
  MarkNotificationsReadDocument,
  MeDocument,
  NotificationsDocument,
  UnmarkForDeletionDocument,
  type MeQuery,
  type ObjectType,
  type OverviewFieldsFragment,
} from '../../operations/generated.js';
import { Api, asApiError, type DeletionEvent } from './api.js';
import { archivedView, type Selection } from './archived.js';
import { h, render, section } from './dom.js';
import { Feed } from './feed.js';
import { formatTime } from './format.js';
import { errorText, latestOnly } from './loading.js';
import { historyTable } from './history.js';
import { holdsView, type HoldTarget } from './holds.js';
import { overviewTable, pendingPanel, tickCountdowns } from './overview.js';
import { PendingObjects } from './pending-objects.js';
import { signInView, storedToken } from './sign-in.js';
import {
  authConfig,
  type AuthConfig,
  issuerAccessToken,
  issuerSignInButton,
  issuerSignOut,
  keepFresh,
  signedInThroughIssuer,
} from './issuer-sign-in.js';
import { WebhooksPanel } from './webhooks.js';

const PAGE_SIZE = 20;
const HISTORY_SIZE = 20;
const NOTIFICATIONS_SIZE = 50;

const app = document.getElementById('app')!;
const errorBox = document.getElementById('error')!;
const viewer = document.getElementById('viewer')!;

/** Shows a failure with its code and message until dismissed or replaced. */
function showError(error: unknown): void {
  const { code, message } = asApiError(error);
  render(
    errorBox,
    h(
      'p',
      {},
      h('strong', {}, code),
      `: ${message} `,
      h('button', { type: 'button', onclick: () => render(errorBox) }, 'Dismiss'),
    ),
  );
}

/** The signed-in screen: the seed's permanent-deletion page, kept current by events. */
class AdminConsole {
  private readonly overviewBox = h('div');
  private readonly pendingBox = h('div');
  private readonly archivedBox = h('div', {}, h('p', {}, 'Choose a type in the table above.'));
  private readonly historyBox = h('div');
  private readonly holdsBox = h('div');
  /** The archived objects on screen, which "Hold the objects shown" holds. */
  private shownRefs: { type: ObjectType; id: string }[] = [];
  private readonly liveStatus = h('p', { id: 'live-status', role: 'status' }, 'Live updates: connecting…');
  private readonly statusLine = h('p', { id: 'status', role: 'status' });
  private readonly feed = new Feed();
  private readonly pendingObjects: PendingObjects;
  private readonly webhooks: WebhooksPanel;
  private type: ObjectType | undefined;
  private after: string | undefined;
  private onlyMarked = false;
  private connections = 0;
  /** Ends the event subscription; replaced once it starts. */
  private stopEvents = (): void => undefined;

  constructor(
    private readonly api: Api,
    private readonly me: MeQuery['me'],
    /** Set when this tab signed in through the identity provider. */
    private readonly issuer?: AuthConfig,
  ) {
    this.pendingObjects = new PendingObjects(api, PAGE_SIZE);
    this.webhooks = new WebhooksPanel(api, (action) => this.mutate(action));
  }

  start(): void {
    render(
      viewer,
      `Signed in as ${this.me.name} (${this.me.role})`,
      this.issuer ? ` through ${new URL(this.issuer.issuer).host} ` : ' ',
      h('button', { type: 'button', id: 'sign-out', onclick: () => this.signOut() }, 'Sign out'),
    );
    render(
      app,
      this.statusLine,
      section('overview', 'Objects that can be permanently deleted', this.overviewBox),
      section('pending-section', 'Pending deletion', this.pendingBox, this.pendingObjects.box),
      section('archived', 'Archived objects', this.archivedBox),
      section('history', 'History of deletions', this.historyBox),
      section('holds', 'Legal holds', this.holdsBox),
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

  private signOut(): void {
    this.stopEvents();
    storedToken.clear();
    if (this.issuer) void issuerSignOut(this.issuer);
    else location.reload();
  }

  private refresh(): Promise<unknown> {
    return Promise.all([
      this.loadOverview(),
      this.loadArchived(),
      this.loadHistory(),
      this.loadHolds(),
      this.webhooks.load(),
    ]);
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
    const actions = {
      showArchived: (type: ObjectType) => this.showArchived(type),
      activate: () => void this.mutate(() => this.activate()),
      cancel: (id: string) => void this.mutate(() => this.cancel(id)),
    };
    render(this.overviewBox, overviewTable(overview, actions));
    render(
      this.pendingBox,
      overview.pending ? pendingPanel(overview.pending, actions) : h('p', {}, 'No deletion is pending.'),
    );
    this.pendingObjects.follow(overview.pending);
    if (!this.type) this.showArchived((overview.types.find((row) => row.archived.count > 0) ?? overview.types[0]).type);
  }

  private showArchived(type: ObjectType, after?: string): void {
    this.type = type;
    this.after = after;
    void this.loadArchived();
  }

  private readonly loadArchived = latestOnly(
    async () => {
      if (!this.type) return undefined;
      const filter = this.onlyMarked ? { deletionState: ['MARKED' as const] } : undefined;
      const variables = { type: this.type, first: PAGE_SIZE, after: this.after, filter };
      return { type: this.type, page: (await this.api.request(ArchivedObjectsDocument, variables)).archivedObjects };
    },
    (result) => {
      if (!result) return;
      this.shownRefs = result.page.edges.map(({ node: { type, id } }) => ({ type, id }));
      void this.loadHolds();
      render(
        this.archivedBox,
        archivedView(result.type, result.page, this.after === undefined, this.onlyMarked, {
          mark: (selection) => void this.mutate(() => this.mark(selection)),
          unmark: (selection) => void this.mutate(() => this.unmark(selection)),
          nextPage: (cursor) => this.showArchived(result.type, cursor),
          firstPage: () => this.showArchived(result.type),
          showOnlyMarked: (onlyMarked) => {
            this.onlyMarked = onlyMarked;
            this.showArchived(result.type);
          },
        }),
      );
    },
    (error) => render(this.archivedBox, errorText(error)),
  );

  private readonly loadHistory = latestOnly(
    () => this.api.request(DeletionHistoryDocument, { first: HISTORY_SIZE }),
    ({ deletions }) =>
      render(
        this.historyBox,
        historyTable(
          deletions.edges.map((edge) => edge.node),
          deletions.totalCount,
        ),
      ),
    (error) => render(this.historyBox, errorText(error)),
  );

  private readonly loadHolds = latestOnly(
    () => this.api.request(LegalHoldsDocument, { first: HISTORY_SIZE }),
    ({ legalHolds }) =>
      render(
        this.holdsBox,
        holdsView(
          legalHolds.edges.map((edge) => edge.node),
          legalHolds.totalCount,
          { type: this.type, refs: this.shownRefs },
          {
            place: (reason, target) => void this.mutate(() => this.placeHold(reason, target)),
            release: (id) => void this.mutate(() => this.releaseHold(id)),
          },
        ),
      ),
    (error) => render(this.holdsBox, errorText(error)),
  );

  private async placeHold(reason: string, target: HoldTarget): Promise<string> {
    const { placeLegalHold } = await this.api.request(PlaceLegalHoldDocument, { reason, ...target });
    return `Legal hold placed on ${placeLegalHold.objectCount} object(s): they left the selection and any pending deletion.`;
  }

  private async releaseHold(id: string): Promise<string> {
    const { releaseLegalHold } = await this.api.request(ReleaseLegalHoldDocument, { id });
    return `Legal hold "${releaseLegalHold.reason}" released.`;
  }

  /** Runs a mutation, says what it did (or shows its error), then reloads what it may have changed. */
  private async mutate(action: () => Promise<string>): Promise<void> {
    render(errorBox);
    try {
      render(this.statusLine, await action());
    } catch (error) {
      showError(error);
    }
    await this.refresh();
  }

  private async mark(selection: Selection): Promise<string> {
    const { markForDeletion } = await this.api.request(MarkForDeletionDocument, selection);
    const skipped =
      (markForDeletion.skippedTasks
        ? ` (${markForDeletion.skippedTasks} task(s) skipped: only Removed or Verified tasks can be deleted)`
        : '') +
      (markForDeletion.skippedHeld ? ` (${markForDeletion.skippedHeld} object(s) on legal hold skipped)` : '');
    return `Marked ${markForDeletion.changed ?? 0} object(s)${skipped}.`;
  }

  private async unmark(selection: Selection): Promise<string> {
    const { unmarkForDeletion } = await this.api.request(UnmarkForDeletionDocument, selection);
    return `Unmarked ${unmarkForDeletion.changed ?? 0} object(s).`;
  }

  private async activate(): Promise<string> {
    const { activateDeletion } = await this.api.request(ActivateDeletionDocument, {});
    return `Deletion activated: it executes at ${formatTime(activateDeletion.executeAfter)} unless an admin cancels it.`;
  }

  private async cancel(id: string): Promise<string> {
    await this.api.request(CancelDeletionDocument, { id });
    return 'Deletion cancelled: its objects stay marked, ready for a new activation.';
  }

  private onEvent(event: DeletionEvent): void {
    this.feed.addEvent(event);
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
      this.feed.addNotifications(notifications.edges.map((edge) => edge.node));
    } catch (error) {
      showError(error);
    }
  }

  private async markAllRead(): Promise<void> {
    try {
      const unread = { unreadOnly: true, first: NOTIFICATIONS_SIZE };
      const { notifications } = await this.api.request(NotificationsDocument, unread);
      const ids = notifications.edges.map((edge) => edge.node.id);
      if (ids.length > 0) await this.api.request(MarkNotificationsReadDocument, { ids });
      this.feed.clear();
    } catch (error) {
      showError(error);
    }
  }
}

/**
 * Checks the token with `me`; a refused one (UNAUTHENTICATED) is shown and the form comes back. A
 * token from the identity provider is renewed before it expires, for requests and the socket.
 */
async function signIn(token: string, config: AuthConfig | undefined): Promise<void> {
  render(errorBox);
  const api = new Api(token);
  const issuer = config && signedInThroughIssuer() ? config : undefined;
  try {
    const { me } = await api.request(MeDocument, {});
    storedToken.set(token);
    const adminConsole = new AdminConsole(api, me, issuer);
    adminConsole.start();
    if (issuer) {
      const renewed = (fresh: string) => {
        api.token = fresh;
        storedToken.set(fresh);
        adminConsole.startEvents();
      };
      keepFresh(issuer, renewed, showError);
    }
  } catch (error) {
    storedToken.clear();
    showError(error);
    showSignIn(config);
  }
}

function showSignIn(config: AuthConfig | undefined): void {
  render(viewer);
  render(
    app,
    signInView((token) => void signIn(token, config), config && issuerSignInButton(config, showError)),
  );
}

/** Finishes a return from the identity provider if this is one, then signs in with what the tab has. */
async function boot(): Promise<void> {
  const config = await authConfig();
  let token = storedToken.get();
  if (config) {
    try {
      token = (await issuerAccessToken(config)) ?? token;
    } catch (error) {
      showError(error);
    }
  }
  if (token) await signIn(token, config);
  else showSignIn(config);
}

void boot();
