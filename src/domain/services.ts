import { Config } from '../config';
import { Database } from '../database/database';
import { ArchiveService } from './archive/archive.service';
import { AttachmentService } from './files/attachment.service';
import { AuthService, usersByIds } from './identity/auth.service';
import { CurrentUserReader } from './identity/current-user-reader';
import { IssuerAuthenticator } from './identity/issuer-auth';
import { OidcVerifier } from './identity/oidc-verifier';
import { ProvisioningService } from './identity/provisioning.service';
import { Clock, systemClock } from './clock';
import { DeletionExportService } from './deletion/deletion-export.service';
import { DeletionHistoryService } from './deletion/deletion-history.service';
import { DeletionSettingsService } from './deletion/deletion-settings.service';
import { DeletionService } from './deletion/deletion.service';
import { DeletionLifecycle } from './deletion/lifecycle/deletion-lifecycle';
import { TransitionEffect } from './deletion/lifecycle/lifecycle-event';
import { FileStore } from './files/file-store';
import { LegalHoldService } from './holds/legal-hold.service';
import { NotificationInboxService } from './notifications/notification-inbox.service';
import { ObjectListService } from './archive/object-list.service';
import { ObjectService } from './archive/object.service';
import { ReceiptService } from './receipts/receipt.service';
import { SelectionService } from './deletion/selection.service';
import { StatsService } from './archive/stats.service';
import { UserService } from './identity/user.service';
import { LinkTokens } from './webhooks/link-token';
import { WebhookDelivery } from './webhooks/webhook-delivery';
import { WebhookEndpointService } from './webhooks/webhook-endpoints.service';
import { RemovedListService } from './webhooks/removed-list.service';
import { Logger } from '../log';

/** The domain core, built once per process; it knows nothing of GraphQL or HTTP. */
export interface Services {
  config: Config;
  db: Database;
  files: FileStore;
  auth: AuthService;
  users: UserService;
  /** Workspaces and users from the CRM's backend (provisioning tokens), and the record of it. */
  provisioning: ProvisioningService;
  /**
   * The deletion state machine: the only writer of `deletions.status`, the admins' notifications
   * and the events; runs the transition effects given to createServices.
   */
  lifecycle: DeletionLifecycle;
  objects: ObjectService;
  /** Archives and restores objects. */
  archiving: ArchiveService;
  /** Reads objects as a user may see them: archived, active, a deletion's, one by id. */
  objectLists: ObjectListService;
  attachments: AttachmentService;
  stats: StatsService;
  /** Where "now" comes from for deletion timestamps; tests move it. */
  clock: Clock;
  selection: SelectionService;
  deletions: DeletionService;
  deletionHistory: DeletionHistoryService;
  /** Streams a pending deletion as a ZIP. */
  deletionExport: DeletionExportService;
  /** The retention policy and reminder settings of each workspace. */
  deletionSettings: DeletionSettingsService;
  /** A user's own notifications: read and mark read. */
  inbox: NotificationInboxService;
  /** Legal holds: place, release, list. */
  holds: LegalHoldService;
  /** Signed deletion receipts: the keys, the issuer the executor uses, downloads and inclusion proofs. */
  receipts: ReceiptService;
  /** Admins' webhook endpoints (register, rotate, ping) and their deliveries. */
  webhooks: WebhookEndpointService;
  /** `GET /deletions/:id/removed`: what a deletion removed, by type and id. */
  removedList: RemovedListService;
  /** Signs and checks the link tokens of `removedUrl`. */
  linkTokens: LinkTokens;
  /** Where this server is reached from outside (PUBLIC_URL, else set once it listens); starts `removedUrl`. */
  publicUrl: { origin: string };
}

/**
 * Wires the services; `clock` is replaceable so tests can move time. `effects` run inside every
 * deletion transition's transaction (receipts, the webhook outbox): see deletion/lifecycle.
 */
export function createServices(
  config: Config,
  db: Database,
  files: FileStore,
  clock: Clock = systemClock,
  effects: readonly TransitionEffect[] = [],
): Services {
  const objects = new ObjectService(db);
  const lifecycle = new DeletionLifecycle(effects);
  const linkTokens = new LinkTokens(config.jwtSecret);
  // One batching reader for the process: token checks and socket operations share its statements.
  const currentUsers = new CurrentUserReader((ids) => usersByIds(db, ids));
  return {
    config,
    db,
    files,
    auth: new AuthService(
      db,
      config.jwtSecret,
      currentUsers,
      config.oidc && new IssuerAuthenticator(db, new OidcVerifier(config.oidc)),
    ),
    users: new UserService(db, currentUsers),
    provisioning: new ProvisioningService(db),
    lifecycle,
    objects,
    archiving: new ArchiveService(db, objects),
    objectLists: new ObjectListService(db),
    attachments: new AttachmentService(db, files, config.maxUploadBytes),
    stats: new StatsService(db),
    clock,
    selection: new SelectionService(db, clock),
    deletions: new DeletionService(db, config, clock, lifecycle),
    deletionHistory: new DeletionHistoryService(db),
    deletionExport: new DeletionExportService(db, files, clock, {
      max: config.exportsMax,
      perWorkspace: config.exportsPerWorkspace,
    }),
    deletionSettings: new DeletionSettingsService(db, clock, lifecycle, config.deletionGracePeriodMs),
    inbox: new NotificationInboxService(db),
    holds: new LegalHoldService(db, clock, lifecycle),
    receipts: new ReceiptService(db, config.receiptKeyFile),
    webhooks: new WebhookEndpointService(db, config.webhooks, clock),
    linkTokens,
    removedList: new RemovedListService(db, linkTokens, clock),
    publicUrl: { origin: config.webhooks.publicUrl ?? `http://127.0.0.1:${config.port}` },
  };
}

/** The webhook delivery worker over the services, for the scheduler's tick. */
export function createWebhookDelivery(services: Services, logger: Logger): WebhookDelivery {
  return new WebhookDelivery({
    db: services.db,
    settings: services.config.webhooks,
    lifecycle: services.lifecycle,
    links: services.linkTokens,
    logger,
    publicUrl: () => services.publicUrl.origin,
  });
}
