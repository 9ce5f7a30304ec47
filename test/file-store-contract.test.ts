import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { forEachBounded } from '../src/domain/files/bounded-concurrency';
import {
  DELETE_BATCH_MAX,
  FileStore,
  LocalFileStore,
  newStorageKey,
  TooLargeError,
} from '../src/domain/files/file-store';
import { startTestS3 } from './support/s3-server';
import { settles, STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

/**
 * What every file store must do, run against the local folder and against S3 (s3rver over HTTP):
 * the attachment service, the download route, the executor, the sweeper and `npm run verify` rely
 * on exactly this and nothing else. The many-key case writes a thousand files, which a loaded
 * machine makes slow: it fails when its count of files written stops moving, not at a fixed time.
 */
jest.setTimeout(STALL_GUARDED_TIMEOUT_MS);

interface StoreUnderTest {
  files: FileStore;
  stop(): Promise<void>;
}

const IMPLEMENTATIONS: [string, () => Promise<StoreUnderTest>][] = [
  [
    'local folder',
    async () => {
      const root = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-store-'));
      return { files: new LocalFileStore(root), stop: async () => rmSync(root, { recursive: true, force: true }) };
    },
  ],
  [
    'S3',
    async () => {
      const s3 = await startTestS3();
      return { files: await s3.store(), stop: () => s3.stop() };
    },
  ],
];

const key = () => newStorageKey(randomUUID());

async function allKeys(files: FileStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of files.list()) keys.push(key);
  return keys.sort();
}

/** A body that sends `chunks` and then fails, as a request whose client went away mid-upload. */
function abortedBody(chunks: Buffer[]): Readable {
  return Readable.from(
    (async function* () {
      yield* chunks;
      throw new Error('client went away');
    })(),
  );
}

describe.each(IMPLEMENTATIONS)('file store contract: %s', (_name, open) => {
  let store: StoreUnderTest;
  const files = () => store.files;

  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await files().close();
    await store.stop();
  });

  it('writes a streamed body and reads it back whole; its size and listing agree', async () => {
    const stored = key();
    expect(await files().put(stored, Readable.from([Buffer.from('hello '), Buffer.from('world')]), 100)).toBe(11);
    expect(await files().size(stored)).toBe(11);
    expect(await text((await files().read(stored))!)).toBe('hello world');
    const listed = [];
    for await (const file of files().list()) listed.push(file);
    expect(listed).toEqual([{ key: stored, size: 11 }]);
  });

  it('reads a byte range, both ends inclusive', async () => {
    const stored = key();
    await files().put(stored, Readable.from([Buffer.from('0123456789')]), 100);
    expect(await text((await files().read(stored, { start: 2, end: 5 }))!)).toBe('2345');
    expect(await text((await files().read(stored, { start: 9, end: 9 }))!)).toBe('9');
  });

  it('answers null for a missing file, for reads and sizes', async () => {
    expect(await files().read(key())).toBeNull();
    expect(await files().read(key(), { start: 0, end: 3 })).toBeNull();
    expect(await files().size(key())).toBeNull();
  });

  it('refuses a body past the limit while streaming and keeps nothing of it', async () => {
    // 7 MiB against a 6 MiB limit: past S3's 5 MiB part size, so the refusal comes mid multipart upload.
    const mib = Buffer.alloc(1024 * 1024, 7);
    const stored = key();
    await expect(
      files().put(stored, Readable.from(Array.from({ length: 7 }, () => mib)), 6 * mib.length),
    ).rejects.toThrow(TooLargeError);
    expect(await files().size(stored)).toBeNull();
    expect(await allKeys(files())).toEqual([]);
  });

  it('keeps nothing of an upload whose body fails half-way', async () => {
    const stored = key();
    const mib = Buffer.alloc(1024 * 1024, 1);
    await expect(files().put(stored, abortedBody([mib, mib, mib, mib, mib, mib]), 100 * mib.length)).rejects.toThrow(
      'client went away',
    );
    await expect(files().put(key(), abortedBody([Buffer.from('small')]), 100)).rejects.toThrow('client went away');
    expect(await allKeys(files())).toEqual([]);
  });

  it('deletes a file, and deleting a missing one is fine', async () => {
    const stored = key();
    await files().put(stored, Readable.from([Buffer.from('x')]), 10);
    await files().delete(stored);
    await files().delete(stored);
    expect(await files().size(stored)).toBeNull();
    expect(await allKeys(files())).toEqual([]);
  });

  it('lists past one page and deletes a full batch at once, missing keys included', async () => {
    // More keys than one listing page (1,000) so the listing must follow its continuation.
    const stored = Array.from({ length: DELETE_BATCH_MAX + 5 }, key);
    let written = 0;
    await settles(
      forEachBounded(stored, 16, async (name) => {
        await files().put(name, Readable.from([Buffer.from(name)]), 100);
        written += 1;
      }),
      { what: `${stored.length} files written`, progress: () => written },
    );
    expect(await allKeys(files())).toEqual([...stored].sort());
    // A full batch: 990 stored keys and 10 that never existed (already deleted by a crashed run).
    const batch = [...stored.slice(0, DELETE_BATCH_MAX - 10), ...Array.from({ length: 10 }, key)];
    expect(await files().deleteMany(batch)).toEqual([]);
    expect(await allKeys(files())).toEqual(stored.slice(DELETE_BATCH_MAX - 10).sort());
    expect(await files().deleteMany([])).toEqual([]);
  });
});
