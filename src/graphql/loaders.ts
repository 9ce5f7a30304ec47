import DataLoader from 'dataloader';
import { AttachmentRow } from '../domain/files/attachment.service';
import { UserRow } from '../domain/domain-types';
import { DeletionRow, DeletionVolumeRow } from '../domain/deletion/deletion-row';
import { Services } from '../domain/services';
import { ReceiptRow } from '../domain/receipts/receipt.service';
import { WebhookDeliveryRow } from '../domain/webhooks/webhook-endpoints.service';

/** A deletion asked for on behalf of a workspace: another workspace's id loads as null. */
interface DeletionKey {
  workspaceId: string;
  id: string;
}

/** Per-request batching: one SQL statement per kind of thing, whatever the page size. */
export interface Loaders {
  users: DataLoader<string, UserRow | null>;
  /** Attachments by object, keyed `TYPE:id`. */
  attachments: DataLoader<string, AttachmentRow[]>;
  /** Deletions by workspace and id. */
  deletions: DataLoader<DeletionKey, DeletionRow | null, string>;
  /** Per-type figures of deletions, by deletion id. */
  deletionVolumes: DataLoader<string, DeletionVolumeRow[]>;
  /** Receipts by deletion id (deletions already checked against the caller's workspace). */
  receipts: DataLoader<string, ReceiptRow | null>;
  /** Webhook deliveries of deletions, by workspace and deletion id. */
  webhookDeliveries: DataLoader<DeletionKey, WebhookDeliveryRow[], string>;
}

export function createLoaders(services: Services): Loaders {
  return {
    users: new DataLoader((ids: readonly string[]) => services.users.byIds(ids)),
    attachments: new DataLoader((keys: readonly string[]) => services.attachments.byObjects(keys)),
    deletions: new DataLoader((keys: readonly DeletionKey[]) => loadDeletions(services, keys), {
      cacheKeyFn: (key) => `${key.workspaceId}/${key.id}`,
    }),
    deletionVolumes: new DataLoader((ids: readonly string[]) => services.deletions.volumesByIds(ids)),
    receipts: new DataLoader((ids: readonly string[]) => services.receipts.byDeletionIds(ids)),
    webhookDeliveries: new DataLoader((keys: readonly DeletionKey[]) => loadDeliveries(services, keys), {
      cacheKeyFn: (key) => `${key.workspaceId}/${key.id}`,
    }),
  };
}

/** A request speaks for one workspace, so this is one statement; the grouping only keeps it correct otherwise. */
async function loadDeletions(services: Services, keys: readonly DeletionKey[]): Promise<(DeletionRow | null)[]> {
  const found = new Map<string, DeletionRow | null>();
  for (const workspaceId of new Set(keys.map((key) => key.workspaceId))) {
    const ids = keys.filter((key) => key.workspaceId === workspaceId).map((key) => key.id);
    const rows = await services.deletions.byIds(workspaceId, ids);
    ids.forEach((id, i) => found.set(`${workspaceId}/${id}`, rows[i]));
  }
  return keys.map((key) => found.get(`${key.workspaceId}/${key.id}`) ?? null);
}

/** One statement per workspace asked for (a request or an event speaks for one). */
async function loadDeliveries(services: Services, keys: readonly DeletionKey[]): Promise<WebhookDeliveryRow[][]> {
  const found = new Map<string, WebhookDeliveryRow[]>();
  for (const workspaceId of new Set(keys.map((key) => key.workspaceId))) {
    const ids = keys.filter((key) => key.workspaceId === workspaceId).map((key) => key.id);
    const rows = await services.webhooks.deliveriesBySubjects(workspaceId, ids);
    ids.forEach((id, i) => found.set(`${workspaceId}/${id}`, rows[i]));
  }
  return keys.map((key) => found.get(`${key.workspaceId}/${key.id}`) ?? []);
}
