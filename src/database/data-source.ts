import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { InitialSchema1764300000000 } from './migrations/1764300000000-initial-schema';
import { TombstonesByDeletion1764900000000 } from './migrations/1764900000000-tombstones-by-deletion';
import { ReviewIndexes1765000000000 } from './migrations/1765000000000-review-indexes';
import { DeletionSettings1765100000000 } from './migrations/1765100000000-deletion-settings';
import { DropSelectionIndex1765200000000 } from './migrations/1765200000000-drop-selection-index';
import { Identity1765300000000 } from './migrations/1765300000000-identity';
import { LegalHolds1765400000000 } from './migrations/1765400000000-legal-holds';
import { Receipts1765500000000 } from './migrations/1765500000000-receipts';
import { Webhooks1765600000000 } from './migrations/1765600000000-webhooks';
import { ArchivedByIndex1765700000000 } from './migrations/1765700000000-archived-by-index';
import { RemovedBatches1765800000000 } from './migrations/1765800000000-removed-batches';
import { UserChanges1765900000000 } from './migrations/1765900000000-user-changes';
import { SelectionGenerations1766000000000 } from './migrations/1766000000000-selection-generations';

/**
 * The TypeORM DataSource of the app and of the TypeORM migration CLI (through `ormconfig.ts`). The schema is owned by
 * migrations (never `synchronize`); queries are plain SQL through `src/database/database.ts`.
 */
export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    migrations: [
      InitialSchema1764300000000,
      TombstonesByDeletion1764900000000,
      ReviewIndexes1765000000000,
      DeletionSettings1765100000000,
      DropSelectionIndex1765200000000,
      Identity1765300000000,
      LegalHolds1765400000000,
      Receipts1765500000000,
      Webhooks1765600000000,
      ArchivedByIndex1765700000000,
      RemovedBatches1765800000000,
      UserChanges1765900000000,
      SelectionGenerations1766000000000,
    ],
    extra: { max: poolSize, application_name: 'crm-archive' },
    logging: false,
  });
}
