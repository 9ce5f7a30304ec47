import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Sql } from '../../database/database';
import { cursorBatches, StoredRow } from './export-rows';
import { ExportedVolume } from './export-manifest';

/**
 * An export's rows, staged on local disk as NDJSON files within its one short snapshot transaction,
 * so the database is free again before the first byte goes to the client: a slow or stalled client
 * then holds a temp file, never a connection or a snapshot that stops vacuum. Disk use is the size of
 * the rows (not of the attachments' files, which are read from the file store while zipping).
 */
export class ExportSpool {
  private constructor(readonly folder: string) {}

  /** A fresh folder under the OS temp folder; `remove` deletes it. */
  static async open(): Promise<ExportSpool> {
    return new ExportSpool(await mkdtemp(path.join(os.tmpdir(), 'crm-archive-export-')));
  }

  /** Where the staged `file` lies. */
  pathOf(file: string): string {
    return path.join(this.folder, file);
  }

  /**
   * Writes every row of `query` (through a cursor of `tx`) to `file`, one JSON object per line, at
   * the disk's pace; returns the row count and the sum of `bytesColumn`.
   */
  async stage(
    tx: Sql,
    file: string,
    query: string,
    params: unknown[],
    bytesColumn: string,
    signal: AbortSignal,
  ): Promise<ExportedVolume> {
    const volume = { file, count: 0, bytes: 0 };
    const out = createWriteStream(this.pathOf(file));
    const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
    failed.catch(() => undefined);
    const cursor = `export_${file.replace(/\W/g, '_')}`;
    for await (const rows of cursorBatches(tx, cursor, query, params, signal)) {
      volume.count += rows.length;
      for (const row of rows) volume.bytes += Number(row[bytesColumn]);
      if (!out.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''))) {
        await Promise.race([once(out, 'drain'), failed]);
      }
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    signal.throwIfAborted();
    return volume;
  }

  /** The rows staged in `file`, one at a time: memory holds one line, however many rows there are. */
  async *rows(file: string): AsyncGenerator<StoredRow> {
    const lines = createInterface({ input: createReadStream(this.pathOf(file)), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as StoredRow;
  }

  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}
