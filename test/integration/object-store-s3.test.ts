import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeObjectStoreConformance } from '@tessera/storage/object-store-conformance';
import { S3ObjectStore } from '@tessera/storage/s3-object-store';
import type { TestS3Server } from './support/s3-server.ts';
import { openTestS3Store, startTestS3Server, uniqueBucketName } from './support/s3-server.ts';

let server: TestS3Server | undefined;
const s3 = (): TestS3Server => {
  if (server === undefined) throw new Error('S3 server not started');
  return server;
};

beforeAll(async () => {
  server = await startTestS3Server();
});
afterAll(async () => {
  await server?.close();
});

let testIndex = 0;
describeObjectStoreConformance('S3ObjectStore on s3rver', () => {
  testIndex += 1;
  return openTestS3Store(s3(), uniqueBucketName('conformance'), `run-${testIndex}/objects`);
});

describe('S3ObjectStore', () => {
  it('creates a missing bucket and confines keys to its prefix', async () => {
    const bucket = uniqueBucketName('prefix');
    const a = await openTestS3Store(s3(), bucket, 'tenant-a');
    const b = await openTestS3Store(s3(), bucket, 'tenant-b/');
    try {
      await a.store.put('k.bin', Uint8Array.of(1));
      await b.store.put('k.bin', Uint8Array.of(2));
      expect([...(await a.store.get('k.bin'))]).toEqual([1]);
      expect(await b.store.list('')).toEqual(['k.bin']);
      expect(a.store.location).toBe(`s3://${bucket}/tenant-a`);
      expect(b.store.location).toBe(`s3://${bucket}/tenant-b`);
      expect(await a.store.removeBucketIfEmpty()).toBe(false);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('reports an unreachable endpoint as StoreUnavailable', async () => {
    const error: unknown = await S3ObjectStore.connect({
      ...s3(),
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      endpoint: 'http://127.0.0.1:1',
      bucket: uniqueBucketName('down'),
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ kind: 'StoreUnavailable' });
  });

  it('rejects a malformed endpoint naming it', async () => {
    await expect(S3ObjectStore.connect({ ...s3(), endpoint: 'not a url', bucket: 'b-x' })).rejects.toThrow(/not a url/);
  });
});
