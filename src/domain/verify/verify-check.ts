import { Sql } from '../../database/database';
import { StatsService } from '../archive/stats.service';
import { FileStore } from '../files/file-store';

/** What the checks read: the database, the file store and the counters (the wiring hands them in). */
export interface VerifySources {
  db: Sql;
  files: FileStore;
  stats: StatsService;
}

/** One consistency check of `npm run verify`: a name, and the problems it found (empty when all is well). */
export interface VerifyCheck {
  name: string;
  run(sources: VerifySources): Promise<string[]>;
}
