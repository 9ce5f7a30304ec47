import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsCommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ByteRange, DELETE_BATCH_MAX, FailedDelete, FileStore, sizeLimit, StoredFile } from './file-store';
import { StartError } from '../../startup';

/** Where the S3-compatible bucket is and how to sign for it (docs/scaling.md, "Several instances on several machines"). */
export interface S3Settings {
  bucket: string;
  /** Unset: AWS S3 itself for `region`; set for MinIO, R2, Ceph RGW … */
  endpoint: string | undefined;
  region: string;
  /** `bucket.host/key` (virtual-hosted) unless true: `host/bucket/key`, which most self-hosted stores need. */
  forcePathStyle: boolean;
  /** From AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; unset: the SDK's default chain (profile, instance role …). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** Upload part size: S3's minimum, so an upload holds at most a few parts in memory, never the whole file. */
const PART_BYTES = 5 * 1024 * 1024;

/** Keeps files as objects of one bucket, under the same keys as the local folder (`ab/abcdef…`). */
export class S3FileStore implements FileStore {
  private constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * A store on the configured bucket, once the bucket answered: a missing bucket or refused
   * credentials stop the start with a StartError saying which, not the first upload.
   */
  static async open(settings: S3Settings): Promise<S3FileStore> {
    const client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Checksums only where S3 requires them: several S3-compatible stores reject the
      // aws-chunked uploads with trailing checksums that the SDK sends by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
    } catch (error) {
      client.destroy();
      throw new StartError(bucketProblem(settings, error), { cause: error });
    }
    return new S3FileStore(client, settings.bucket);
  }

  async put(key: string, body: Readable, maxBytes: number): Promise<number> {
    // Counting as the bytes pass: a stream past the limit fails the upload before it completes,
    // and lib-storage then aborts its multipart upload, so no object (and no part) is left.
    let bodyError: unknown = undefined;
    const limit = sizeLimit(maxBytes).on('error', (error) => (bodyError ??= error));
    // The upload reads `limit`: a failure of either side (client gone, too large) ends the upload
    // through it, and the pipeline destroys the request body as the local store's does.
    pipeline(body, limit).catch(() => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: limit },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // A refusal by the store stops the reading too: the pipeline then destroys the request body.
      limit.destroy();
      // The body's failure is the reason, not a failed abort of the multipart upload it caused:
      // parts left by one are not objects, and a bucket lifecycle rule expires them (docs/scaling.md).
      throw bodyError ?? error;
    }
    return limit.written;
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return Body as Readable;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for a key that does not exist: deleting twice is fine.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deleteMany(keys: readonly string[]): Promise<FailedDelete[]> {
    if (keys.length === 0) return [];
    if (keys.length > DELETE_BATCH_MAX) throw new Error(`deleteMany takes at most ${DELETE_BATCH_MAX} keys`);
    const { Errors } = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        // Quiet: the answer lists only the keys that failed, not the thousand that did not.
        Delete: { Objects: keys.map((key) => ({ Key: key })), Quiet: true },
      }),
    );
    return (Errors ?? [])
      .filter((failure) => failure.Code !== 'NoSuchKey')
      .map((failure) => ({ key: failure.Key ?? '', error: new Error(`${failure.Code}: ${failure.Message}`) }));
  }

  /**
   * Pages of up to 1,000 keys in key order, each starting after the last key of the one before
   * (ListObjects' Marker): the paging every S3-compatible store implements alike. (ListObjectsV2's
   * opaque continuation tokens are not: s3rver's need a cipher Node 17+ no longer has.)
   */
  async *list(): AsyncIterable<StoredFile> {
    let marker: string | undefined = undefined;
    for (;;) {
      const page: ListObjectsCommandOutput = await this.client.send(
        new ListObjectsCommand({ Bucket: this.bucket, Marker: marker }),
      );
      const files = (page.Contents ?? []).flatMap(({ Key, Size }) => (Key ? [{ key: Key, size: Size ?? 0 }] : []));
      yield* files;
      if (!page.IsTruncated || files.length === 0) return;
      marker = files[files.length - 1].key;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** A missing object: GetObject says NoSuchKey, HeadObject (no body to say it in) a bare 404. */
function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);
}

/** What an operator must fix when the bucket does not answer HeadBucket. */
function bucketProblem(settings: S3Settings, error: unknown): string {
  const where = `S3_BUCKET "${settings.bucket}" at ${settings.endpoint ?? `AWS S3 (${settings.region})`}`;
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  if (status === 404) return `${where} does not exist: create it, or set S3_BUCKET to an existing bucket`;
  if (status === 401 || status === 403)
    return `${where} refused the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and that they may use this bucket)`;
  const reason = error instanceof Error ? error.message : String(error);
  return `${where} cannot be reached (${reason}): check S3_ENDPOINT, S3_REGION and S3_FORCE_PATH_STYLE`;
}
