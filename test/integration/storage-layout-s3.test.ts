import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '@tessera/storage/content-hash';
import {
  checkpointPrefixForJob,
  findLatestCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from '@tessera/storage/checkpoints/checkpoint-store';
import { SONAR_DATASET } from '@tessera/storage/datasets/dataset-catalog';
import { readDatasetFile, readDatasetManifestAt, uploadDataset } from '@tessera/storage/datasets/dataset-objects';
import type { S3ObjectStore } from '@tessera/storage/s3-object-store';
import type { TestS3Server } from './support/s3-server.ts';
import { openTestS3Store, startTestS3Server, uniqueBucketName } from './support/s3-server.ts';

// Data sets and checkpoints over a real S3-compatible server: the layout the coordinator and workers share.
let server: TestS3Server | undefined;
let subject: { store: S3ObjectStore; dispose: () => Promise<void> } | undefined;
const store = (): S3ObjectStore => {
  if (subject === undefined) throw new Error('store not opened');
  return subject.store;
};

beforeAll(async () => {
  server = await startTestS3Server();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  if (server === undefined) throw new Error('S3 server not started');
  subject = await openTestS3Store(server, uniqueBucketName('layout'), 'tessera');
});
afterEach(async () => {
  await subject?.dispose();
});

describe('data sets on S3', () => {
  it('stores a single-file data set under the catalog hash and reads it back verified', async () => {
    const csv = Buffer.from('0.0200,0.0371,R\n0.0453,0.0523,M\n');
    const { manifestKey, manifest } = await uploadDataset(store(), {
      name: 'sonar-sample',
      kind: SONAR_DATASET.kind,
      files: [{ name: SONAR_DATASET.fileName, bytes: csv }],
      summary: '2 rows x 3 columns',
    });
    expect(manifest.sha256).toBe(sha256Hex(csv));
    expect(await store().list('datasets/')).toEqual([manifestKey, `datasets/sonar-sample/${manifest.sha256}/shards/0.bin`]);
    const reread = await readDatasetManifestAt(store(), manifestKey);
    expect(await readDatasetFile(store(), reread, 'sonar.csv')).toEqual(csv);
  });
});

describe('checkpoints on S3', () => {
  it('finds the last whole checkpoint after a crash mid-write and restores it bit for bit', async () => {
    const prefix = checkpointPrefixForJob('job-s3');
    const weights = new Uint8Array(Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i)).buffer);
    await writeCheckpoint(store(), prefix, {
      step: 40,
      modelJson: { name: 'mlp' },
      weights,
      optimizer: Uint8Array.of(1, 2),
      state: { cursor: 320 },
    });
    // Crash while writing step 60: some parts, no manifest, latest.json untouched.
    await store().put(`${prefix}/60/model.json`, Buffer.from('{}'));
    await store().put(`${prefix}/60/weights.bin`, Uint8Array.of(0));
    await store().delete(`${prefix}/latest.json`);
    const latest = await findLatestCheckpoint(store(), prefix);
    expect(latest).toBe(`${prefix}/40/manifest.json`);
    const restored = await readCheckpoint(store(), latest ?? '');
    expect(restored.step).toBe(40);
    expect(restored.weights.equals(Buffer.from(weights))).toBe(true);
    expect(restored.state).toEqual({ cursor: 320 });
  });
});
