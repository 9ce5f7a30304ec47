import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { forEachBounded } from './bounded-concurrency';

/** Where attachment bytes live. The default is a local folder; object storage fits the same shape. */
export interface FileStore {
  /** Streams `body` to `key` and returns the number of bytes written; throws (and keeps nothing) past `maxBytes`. */
  put(key: string, body: Readable, maxBytes: number): Promise<number>;
  /**
   * A stream of the stored bytes from `start` to `end` (inclusive; the whole file by default), or
   * null when there is no such file. The file is opened before this resolves, so a caller can still
   * answer "not found" instead of failing a response it has started.
   */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Size of the stored file, or null when there is none. */
  size(key: string): Promise<number | null>;
  /** Removes the file; a missing file is not an error (deletion is retried after crashes). */
  delete(key: string): Promise<void>;
  /**
   * Removes up to DELETE_BATCH_MAX files as `delete` would (a missing one is fine) and returns the
   * keys it could not remove, each with its reason; one refusal never stops the others.
   */
  deleteMany(keys: readonly string[]): Promise<FailedDelete[]>;
  /** Every stored file with its size, in pages (a bucket lists 1,000 at a time), for the verify command. */
  list(): AsyncIterable<StoredFile>;
  /** Releases what the store holds open (connections); the store is not used afterwards. */
  close(): Promise<void>;
}

/** A stored file as `list` yields it. */
export interface StoredFile {
  key: string;
  size: number;
}

/** The most keys one `deleteMany` takes: what S3's DeleteObjects accepts in one call. */
export const DELETE_BATCH_MAX = 1_000;

/** A key `deleteMany` could not remove, and why (for the log only: it may name server paths). */
export interface FailedDelete {
  key: string;
  error: unknown;
}

/**
 * File deletes in flight at once where a store removes files one by one: an unlink waits mostly
 * on the file system, so overlapping them removes a batch several times faster.
 */
const FILE_REMOVALS_IN_FLIGHT = 16;

/** A range of bytes, both ends inclusive (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Raised when an upload is larger than allowed. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes.`);
  }
}

/** A pass-through that counts the bytes and fails with TooLargeError once they pass `maxBytes`. */
export function sizeLimit(maxBytes: number): Transform & { readonly written: number } {
  let written = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      callback(written > maxBytes ? new TooLargeError(maxBytes) : null, chunk);
    },
  });
  return Object.defineProperty(limit, 'written', { get: () => written }) as Transform & { readonly written: number };
}

/** Keeps files under one folder; keys are relative paths such as `ab/abcdef…`. */
export class LocalFileStore implements FileStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Readable, maxBytes: number): Promise<number> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const limit = sizeLimit(maxBytes);
    const out = createWriteStream(file, { flags: 'wx' });
    try {
      await pipeline(body, limit, out);
    } catch (error) {
      // The pipeline can fail (too large, client gone) while the file is still being opened: removed
      // before its stream has closed, the pending open would create it again, empty, after the removal.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(file, { force: true });
      throw error;
    }
    return limit.written;
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const handle = await open(this.pathOf(key), 'r');
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async deleteMany(keys: readonly string[]): Promise<FailedDelete[]> {
    const failed: FailedDelete[] = [];
    await forEachBounded(keys, FILE_REMOVALS_IN_FLIGHT, async (key) => {
      try {
        await this.delete(key);
      } catch (error) {
        failed.push({ key, error });
      }
    });
    return failed;
  }

  async *list(): AsyncIterable<StoredFile> {
    let shards: string[];
    try {
      shards = await readdir(this.root);
    } catch {
      return;
    }
    for (const shard of shards) {
      for (const name of await readdir(path.join(this.root, shard))) {
        const key = `${shard}/${name}`;
        yield { key, size: (await stat(this.pathOf(key))).size };
      }
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls: each read stream owns its own file handle.
  }

  private pathOf(key: string): string {
    // Keys are generated by us, but a key must never escape the root whatever it holds.
    if (!/^[a-z0-9]{2}\/[a-z0-9-]+$/.test(key)) throw new Error(`Invalid storage key "${key}"`);
    return path.join(this.root, key);
  }
}

/** A fresh storage key, sharded by its first two characters so no folder grows too large. */
export function newStorageKey(id: string): string {
  const clean = id.toLowerCase().replace(/[^a-z0-9-]/g, '');
  return `${clean.slice(0, 2)}/${clean}`;
}
