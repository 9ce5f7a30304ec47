import DataLoader from 'dataloader';
import { AttachmentRow } from '../services/attachment.service';
import { UserRow } from '../services/auth.service';
import { Services } from '../services/services';

/** Per-request batching: one SQL statement per kind of thing, whatever the page size. */
export interface Loaders {
  users: DataLoader<string, UserRow | null>;
  /** Attachments by object, keyed `TYPE:id`. */
  attachments: DataLoader<string, AttachmentRow[]>;
}

export function createLoaders(services: Services): Loaders {
  return {
    users: new DataLoader((ids: readonly string[]) => services.users.byIds(ids)),
    attachments: new DataLoader((keys: readonly string[]) => services.attachments.byObjects(keys)),
  };
}
