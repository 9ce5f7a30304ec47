import { crashTest } from './support/crash-test';

// The local folder; test/deletion-crash-s3.test.ts runs the same test with the files on S3.
crashTest({ kills: 10, perType: 700, storage: () => ({}) });
