import { Config } from '../config';
import { Database } from '../database/database';
import { ArchiveService } from './archive/archive.service';
import { AttachmentService } from './files/attachment.service';
import { AuthService, usersByIds } from './identity/auth.service';
import { CurrentUserReader } from './identity/current-user-reader';
import { Clock, systemClock } from './clock';
import { DeletionExportService } from './deletion/deletion-export.service';
import { DeletionHistoryService } from './deletion/deletion-history.service';
import { DeletionSettingsService } from './deletion/deletion-settings.service';
import { DeletionService } from './deletion/deletion.service';
import { DeletionLifecycle } from './deletion/lifecycle/deletion-lifecycle';
import { TransitionEffect } from './deletion/lifecycle/lifecycle-event';
import { FileStore } from './files/file-store';
import { NotificationInboxService } from './notifications/notification-inbox.service';
import { ObjectListService } from './archive/object-list.service';
import { ObjectService } from './archive/object.service';
import { SelectionService } from './deletion/selection.service';
import { StatsService } from './archive/stats.service';
import { UserService } from './identity/user.service';

/** The domain core, built once per process; it knows nothing of GraphQL or HTTP. */
export interface Services {
  config: Config;
  db: Database;
  files: FileStore;
  auth: AuthService;
  users: UserService;
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
  // One batching reader for the process: token checks and socket operations share its statements.
  const currentUsers = new CurrentUserReader((ids) => usersByIds(db, ids));
  return {
    config,
    db,
    files,
    auth: new AuthService(db, config.jwtSecret, currentUsers),
    users: new UserService(db, currentUsers),
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
  };
}
