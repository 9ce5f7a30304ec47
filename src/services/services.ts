import { Config } from '../config';
import { Database } from '../database/database';
import { AuthService } from './auth.service';
import { FileStore } from './file-store';
import { NotificationService } from './notification.service';
import { UserService } from './user.service';

/** The domain core, built once per process; it knows nothing of GraphQL or HTTP. */
export interface Services {
  config: Config;
  db: Database;
  files: FileStore;
  auth: AuthService;
  users: UserService;
  notifications: NotificationService;
}

export function createServices(config: Config, db: Database, files: FileStore): Services {
  return {
    config,
    db,
    files,
    auth: new AuthService(db, config.jwtSecret),
    users: new UserService(db),
    notifications: new NotificationService(),
  };
}
