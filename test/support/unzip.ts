import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { fromBuffer, Options, ZipFile } from 'yauzl';

/** One entry of a ZIP: its name as stored and its uncompressed bytes. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const open = promisify<Buffer, Options, ZipFile>(fromBuffer);

/**
 * Every entry of `zip`, in the order they were written, read with yauzl: it checks sizes and CRCs
 * and refuses names that are absolute or hold `..` segments, so a bad archive fails here.
 */
export async function unzip(zip: Buffer): Promise<ZipEntry[]> {
  const file = await open(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  const entries: ZipEntry[] = [];
  for await (const entry of file.eachEntry()) {
    entries.push({ name: entry.fileName, data: await buffer(await file.openReadStreamPromise(entry)) });
  }
  return entries;
}
