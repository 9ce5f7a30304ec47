import { crashTest } from './support/crash-test';
import { startTestS3, TestS3 } from './support/s3-server';

// The crash test with the files on S3 (s3rver): exactly the batch's objects leave the bucket, no
// orphan object stays. Fewer kills than the local run: the executor is the same, only the store differs.
let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(() => s3?.stop());

crashTest({ kills: 5, perType: 300, storage: () => s3.env });
