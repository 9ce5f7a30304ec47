import { Config } from '../config';
import { Database } from '../database/database';
import { ArchiveService } from './archive.service';
import { ArchivedListService } from './archived-list.service';
import { AttachmentService } from './attachment.service';
import { AuthService } from './auth.service';
import { FileStore } from './file-store';
import { NotificationService } from './notification.service';
import { ObjectService } from './object.service';
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
}

export function createServices(config: Config, db: Database, files: FileStore): Services {
  const objects = new ObjectService(db);
  return {
    config,
    db,
    files,
    auth: new AuthService(db, config.jwtSecret),
    users: new UserService(db),
    notifications: new NotificationService(),
    objects,
    archive: new ArchiveService(db, objects),
    archived: new ArchivedListService(db),
    attachments: new AttachmentService(db, files, config.maxUploadBytes),
    stats: new StatsService(db),
  };
}
