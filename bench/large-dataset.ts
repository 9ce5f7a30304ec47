import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulkWorkspace, generateBulkData } from '../src/cli/bulk-data';
import { LocalFileStore } from '../src/domain/files/file-store';
import { BenchDatabase, openBenchDatabase } from './bench-database';

/** Objects in the one workspace of the first stage; the large one later holds LARGE_WORKSPACE_SHARE of the rest. */
const SMALL_STAGE_OBJECTS = 30_000;
const WORKSPACES_AT_FULL_SIZE = 100;
/** The large workspace's objects at full size (of 1M): ~300k, as the goal 1 sets it. */
const LARGE_WORKSPACE_OBJECTS = 300_000;

/**
 * The large dataset the browse, overhead and peer benches share: seeded once, on first use, in its
 * own database, and grown additively (new workspaces each time), so a bench measures a page at
 * 30k, grows it to 1M, and measures the same page again. Attachments are rows only (no files):
 * pages read rows, never files.
 */
export class LargeDataset {
  private database: BenchDatabase | undefined;
  private readonly workspaces: BulkWorkspace[] = [];
  private readonly filesDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-large-'));

  /** The database, opened and migrated on first use. */
  async open(): Promise<BenchDatabase> {
    this.database ??= await openBenchDatabase();
    return this.database;
  }

  /** Objects in all (every one archived, 20% with an attachment). */
  get objects(): number {
    return this.workspaces.reduce((sum, workspace) => sum + workspace.objects, 0);
  }

  /** The first workspace: the only one at the first stage. */
  get small(): BulkWorkspace | undefined {
    return this.workspaces[0];
  }

  /** The largest workspace so far. */
  get largest(): BulkWorkspace | undefined {
    return [...this.workspaces].sort((a, b) => b.objects - a.objects)[0];
  }

  /**
   * Grows the data to `objects` at least: first one workspace of SMALL_STAGE_OBJECTS, then the rest
   * in WORKSPACES_AT_FULL_SIZE - 1 new workspaces, the first of them with LARGE_WORKSPACE_OBJECTS
   * (or its share, below 1M).
   */
  async atLeast(objects: number): Promise<BenchDatabase> {
    const database = await this.open();
    const files = new LocalFileStore(this.filesDir);
    const add = async (count: number, workspaces: number, largeShare: number) => {
      const started = Date.now();
      let last = 0;
      const created = await generateBulkData(database.db, files, {
        objects: count,
        workspaces,
        largeShare,
        files: 'rows-only',
        onProgress: (done, total) => {
          if (done - last < 100_000 && done < total) return;
          last = done;
          process.stderr.write(
            `  seeding: ${done} of ${total} objects, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
          );
        },
      });
      this.workspaces.push(...created);
    };
    if (this.workspaces.length === 0) await add(Math.min(objects, SMALL_STAGE_OBJECTS), 1, 1);
    const missing = objects - this.objects;
    if (missing > 0) {
      const largeShare = Math.min(1, (LARGE_WORKSPACE_OBJECTS * (objects / 1_000_000)) / missing);
      await add(missing, WORKSPACES_AT_FULL_SIZE - 1, largeShare);
    }
    return database;
  }

  async close(): Promise<void> {
    await this.database?.close();
    rmSync(this.filesDir, { recursive: true, force: true });
  }
}
