import DataLoader from 'dataloader';
import { UserRow } from '../services/auth.service';
import { Services } from '../services/services';

/** Per-request batching: one SQL statement per kind of thing, whatever the page size. */
export interface Loaders {
  users: DataLoader<string, UserRow | null>;
}

export function createLoaders(services: Services): Loaders {
  return {
    users: new DataLoader((ids: readonly string[]) => services.users.byIds(ids)),
  };
}
