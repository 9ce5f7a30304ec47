import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { LocalFileStore } from '../src/domain/files/file-store';
import { createDueDeletion, seedArchivedObjects } from '../test/support/executor-fixtures';
import { AuthService } from '../src/domain/identity/auth.service';
import { BenchDatabase } from './bench-database';
import { BENCH_JWT_SECRET } from './compare-servers';
import { BenchResult } from './run';
import { ourServerEntry, startServerProcess } from './server-process';

const PER_TYPE = 1_000;
const FILE_EVERY = 50;
/** 20 files per type, 140 in all: about 1 GiB. */
const FILE_BYTES = Number(process.env.BENCH_EXPORT_FILE_BYTES ?? 7.5 * 1024 * 1024);
const MB = 1024 * 1024;
/** How often the server's resident memory is read during the export. */
const SAMPLE_MS = 25;

/**
 * Issue 12: an export is streamed, never buffered. Exports a pending deletion of 7,000 objects and
 * about 1 GiB of files from a server in its own process, reading the ZIP as fast as it comes, and
 * samples that process's RSS (/proc/<pid>/status) meanwhile. The figure is the peak growth over
 * the RSS before the export, against the ZIP's size; the goal is 64 MB whatever the size.
 */
export async function exportBench({ db, url }: BenchDatabase): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-export-'));
  try {
    const ws = (await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`))!;
    const admin = (await db.one<{ id: string }>(
      `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'bench', 'export@bench.test', 'ADMIN') RETURNING id`,
      [ws.id],
    ))!;
    const token = new AuthService(db, BENCH_JWT_SECRET).sign(admin.id);
    const files = new LocalFileStore(path.join(dataDir, 'files'));
    const refs = await seedArchivedObjects(db, files, {
      workspaceId: ws.id,
      userId: admin.id,
      perType: PER_TYPE,
      fileEvery: FILE_EVERY,
      fileBytes: FILE_BYTES,
    });
    const deletionId = await createDueDeletion(db, ws.id, admin.id, refs);
    await db.rows(`ANALYZE ${OBJECT_TABLES.map((t) => t.table).join(', ')}, attachments`);
    const env = { DATABASE_URL: url, JWT_SECRET: BENCH_JWT_SECRET, PORT: '0', HOST: '127.0.0.1' };
    const server = await startServerProcess('ours', ourServerEntry(), {
      ...env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      SCHEDULER_INTERVAL: '1h',
    });
    try {
      const exportUrl = server.url.replace(/\/graphql$/, `/deletions/${deletionId}/export`);
      const headers = { authorization: `Bearer ${token}` };
      // A first, small request warms the server up, so the baseline includes what any request loads.
      await (await fetch(server.url.replace(/\/graphql$/, '/readyz'))).text();
      const before = rssOf(server.pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid))), SAMPLE_MS);
      const started = performance.now();
      let size = 0;
      try {
        const response = await fetch(exportUrl, { headers });
        if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
        const reader = response.body!.getReader();
        for (let read = await reader.read(); !read.done; read = await reader.read()) size += read.value.byteLength;
      } finally {
        clearInterval(sampler);
      }
      const seconds = (performance.now() - started) / 1000;
      peak = Math.max(peak, rssOf(server.pid));
      const growth = (peak - before) / MB;
      return [
        {
          name: `export: peak server RSS growth while streaming a ${Math.round(size / MB)} MB ZIP (${refs.length} objects, ${Math.round(size / MB / seconds)} MB/s; RSS before ${Math.round(before / MB)} MB)`,
          ms: growth,
          unit: 'MB',
          baselineName: 'the ZIP size',
          baselineMs: size / MB,
          goal: { valueAtMost: 64 },
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Resident set size of process `pid`, in bytes. */
function rssOf(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line![1]) * 1024;
}
