import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3ObjectStore } from '@tessera/storage/s3-object-store';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3rver } from './in-process-s3rver.ts';

const REGION = 'us-east-1';

export interface TestS3Server {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  /** Stops the in-process server and removes its directory; a no-op for an external server. */
  close(): Promise<void>;
}

/**
 * The S3-compatible server integration tests run against: the one at `TESSERA_TEST_S3_ENDPOINT` when set (CI starts
 * s3rver itself, see start-s3rver.ts), else a fresh s3rver on 127.0.0.1, port 0, over a temp directory.
 */
export async function startTestS3Server(): Promise<TestS3Server> {
  const external = process.env.TESSERA_TEST_S3_ENDPOINT;
  const credentials = {
    accessKey: process.env.TESSERA_TEST_S3_ACCESS_KEY ?? S3RVER_ACCESS_KEY,
    secretKey: process.env.TESSERA_TEST_S3_SECRET_KEY ?? S3RVER_SECRET_KEY,
    region: REGION,
  };
  if (external !== undefined && external !== '') {
    return { endpoint: external, ...credentials, close: () => Promise.resolve() };
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'tessera-s3rver-'));
  const running = await startS3rver({ directory });
  return {
    endpoint: running.endpoint,
    ...credentials,
    close: async () => {
      await running.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A bucket name no other suite or run uses: S3 rules allow lowercase letters, digits and hyphens. */
export function uniqueBucketName(label: string): string {
  return `tessera-${label}-${randomBytes(6).toString('hex')}`.slice(0, 63);
}

/**
 * Opens an S3ObjectStore on `bucket` (created if missing) under `prefix`. `dispose` deletes every object under the
 * prefix and then the bucket, once it is empty, so suites sharing a CI server leave nothing behind.
 */
export async function openTestS3Store(
  server: TestS3Server,
  bucket: string,
  prefix: string,
): Promise<{ store: S3ObjectStore; dispose: () => Promise<void> }> {
  const store = await S3ObjectStore.connect({ ...server, bucket, prefix });
  return {
    store,
    dispose: async () => {
      for (const key of await store.list('')) await store.delete(key);
      await store.removeBucketIfEmpty();
    },
  };
}
