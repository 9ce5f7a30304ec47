import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { loadConfig } from '../../src/config';
import { S3FileStore } from '../../src/domain/files/s3-file-store';

/**
 * A local S3-compatible server for tests: s3rver speaks the S3 REST API over HTTP from a folder, so
 * the S3 file store is tested through the real SDK and real requests. No S3 server binary can be
 * installed here; s3rver is enough for every call the store makes. It is not S3: it checks access
 * key ids but not version 4 signatures, and does not abort multipart uploads (the store does not
 * depend on either).
 */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The variables that point a server at this bucket, as an operator would set them. */
  env: Record<string, string>;
  /** A store on the bucket, as a server would open it; closed by `stop()`. */
  store(): Promise<S3FileStore>;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** s3rver's built-in account: a request signed with another access key id is refused. */
const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** Starts s3rver on a free port over a fresh temp folder, with one empty bucket. */
export async function startTestS3(bucket = 'crm-archive-test'): Promise<TestS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  let address;
  try {
    address = await server.run();
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const env: Record<string, string> = {
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    ...S3RVER_CREDENTIALS,
  };
  const stores: S3FileStore[] = [];
  let stopped: Promise<void> | undefined;
  const store = async () => {
    const opened = await S3FileStore.open(loadConfig({ ...env, JWT_SECRET: 'unused-but-long-enough' }).s3!);
    stores.push(opened);
    return opened;
  };
  return {
    endpoint,
    bucket,
    env,
    store,
    async keys() {
      const listing = await store();
      const keys: string[] = [];
      for await (const { key } of listing.list()) keys.push(key);
      return keys.sort();
    },
    stop: () =>
      (stopped ??= (async () => {
        for (const opened of stores.splice(0)) await opened.close();
        try {
          await server.close();
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      })()),
  };
}
