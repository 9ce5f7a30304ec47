import { Config } from '../config';
import { Database } from '../database/database';
import { ArchiveService } from './archive.service';
import { ArchivedListService } from './archived-list.service';
import { AttachmentService } from './attachment.service';
import { AuthService } from './auth.service';
import { Clock, systemClock } from './clock';
import { DeletionHistoryService } from './deletion-history.service';
import { DeletionService } from './deletion.service';
import { FileStore } from '../infra/file-store';
import { NotificationInboxService } from './notification-inbox.service';
import { NotificationService } from './notification.service';
import { ObjectService } from './object.service';
import { SelectionService } from './selection.service';
import { StatsService } from './stats.service';
import { UserService } from './user.service';

/** The domain core, built once per process; it knows nothing of GraphQL or HTTP. */
export interface Services {
  config: Config;
  db: Database;
  files: FileStore;
  auth: AuthService;
  users: UserService;
  notifications: NotificationService;
  objects: ObjectService;
  archive: ArchiveService;
  archived: ArchivedListService;
  attachments: AttachmentService;
  stats: StatsService;
  /** Where "now" comes from for deletion timestamps; tests move it. */
  clock: Clock;
  selection: SelectionService;
  deletions: DeletionService;
  deletionHistory: DeletionHistoryService;
  inbox: NotificationInboxService;
}

/** Wires the services; `clock` is replaceable so tests can move time. */
export function createServices(config: Config, db: Database, files: FileStore, clock: Clock = systemClock): Services {
  const objects = new ObjectService(db);
  const notifications = new NotificationService();
  return {
    config,
    db,
    files,
    auth: new AuthService(db, config.jwtSecret),
    users: new UserService(db),
    notifications,
    objects,
    archive: new ArchiveService(db, objects),
    archived: new ArchivedListService(db),
    attachments: new AttachmentService(db, files, config.maxUploadBytes),
    stats: new StatsService(db),
    clock,
    selection: new SelectionService(db, clock),
    deletions: new DeletionService(db, config, clock, notifications),
    deletionHistory: new DeletionHistoryService(db),
    inbox: new NotificationInboxService(db),
  };
}
