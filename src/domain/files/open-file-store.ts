import path from 'node:path';
import { Config } from '../../config';
import { FileStore, LocalFileStore } from './file-store';
import { S3FileStore } from './s3-file-store';

/**
 * The configured file store: the bucket when S3_BUCKET is set (checked before anything uses it),
 * otherwise the `files` folder under DATA_DIR. The server and the CLI commands open the same one.
 */
export async function openFileStore(config: Config): Promise<FileStore> {
  if (config.s3) return S3FileStore.open(config.s3);
  return new LocalFileStore(path.join(config.dataDir, 'files'));
}
