import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sonarExampleSpec } from '@tessera/core/jobs/job-spec';
import { TesseraClient } from '@tessera/client/tessera-client';
import { TesseraClientError } from '@tessera/client/client-error';
import { buildTestDicom, imageElements } from '@tessera/medical/dicom/dicom-test-files';
import { affineFromRows } from '@tessera/medical/nifti/nifti-affine';
import { encodeNifti1 } from '@tessera/medical/nifti/nifti-writer';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { greyPng } from '@tessera/storage/datasets/segmentation-fixtures';
import { datasetMirror, sonarCsvPath } from './support/datasets.ts';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

// Small enough to exceed cheaply, large enough for Sonar (87,776 bytes).
const UPLOAD_LIMIT = 150_000;

async function rejection(promise: Promise<unknown>): Promise<TesseraClientError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TesseraClientError);
    return err as TesseraClientError;
  }
  throw new Error('expected the call to fail');
}

/** A Sonar-shaped spec that trains briefly, for jobs whose outcome is decided by their data. */
function quickSpec(dataset: string, name: string) {
  const spec = sonarExampleSpec({ name });
  return { ...spec, dataset, training: { ...spec.training, epochs: 2 }, resources: { ...spec.resources, minWorkers: 2, maxWorkers: 2 } };
}

describe('bad input gets a clear error and nothing else stops', () => {
  let tc: TestCluster;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 2, label: 'badinput', env: { TESSERA_UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT) } });
    await tc.client.uploadDataset({ name: 'sonar', fileName: 'sonar.csv', bytes: await readFile(sonarCsvPath()) });
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('rejects an invalid job spec with INVALID_ARGUMENT naming the field', async () => {
    const spec = sonarExampleSpec();
    const err = await rejection(tc.client.submitJob({ ...spec, training: { ...spec.training, learningRate: -1 } }));
    expect(err.kind).toBe('InvalidArgument');
    expect(err.message).toContain('training.learningRate');
    const notJson = await rejection(tc.client.submitJob('{"name": '));
    expect(notJson.kind).toBe('InvalidArgument');
    expect(notJson.message).toContain('spec_json');
    const unknownField = await rejection(tc.client.submitJob({ ...spec, resources: { ...spec.resources, gpus: 4 } }));
    expect(unknownField.message).toContain('resources');
  });

  it('rejects an unknown data set with NOT_FOUND', async () => {
    const err = await rejection(tc.client.submitJob({ ...sonarExampleSpec(), dataset: 'no-such-data' }));
    expect(err.kind).toBe('NotFound');
    expect(err.message).toContain('no-such-data');
  });

  it('refuses a missing, wrong or join-scoped token with UNAUTHENTICATED', async () => {
    const wrong = new TesseraClient({ address: tc.cluster.address, token: 'tsr_api_not-a-real-token' });
    const joinToken = (await readFile(`${tc.dataDir}/join-token`, 'utf8')).trim();
    const join = new TesseraClient({ address: tc.cluster.address, token: joinToken });
    try {
      for (const client of [wrong, join]) {
        const err = await rejection(client.listJobs());
        expect(err.kind).toBe('Unauthenticated');
        expect((await rejection(client.submitJob(sonarExampleSpec()))).kind).toBe('Unauthenticated');
      }
      // No authorization header at all, on the raw service.
      const { contracts } = await import('@tessera/proto/contracts');
      const Service = contracts().jobs.tessera.jobs.v1.JobService;
      const raw = new Service(tc.cluster.address, grpc.credentials.createInsecure());
      const status = await new Promise<grpc.ServiceError | null>((resolve) => raw.listJobs({}, (e) => resolve(e)));
      raw.close();
      expect(status?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(status?.details).toContain('missing token');
    } finally {
      wrong.close();
      join.close();
    }
  });

  it('fails a job on a ragged CSV, naming the row', async () => {
    const lines = (await readFile(sonarCsvPath(), 'utf8')).trimEnd().split('\n');
    lines[11] = lines[11]!.split(',').slice(1).join(',');
    await tc.client.uploadDataset({ name: 'sonar-ragged', fileName: 'sonar.csv', bytes: Buffer.from(lines.join('\n') + '\n') });
    const job = await tc.client.submitJob(quickSpec('sonar-ragged', 'ragged'));
    const final = await tc.client.waitForJob(job.id);
    expect(final.state).toBe('JOB_STATE_FAILED');
    expect(final.reason).toContain('sonar.csv row 12');
    expect(final.reason).toContain('60 columns, expected 61');
  });

  it('fails a job on a non-numeric feature, naming row and column', async () => {
    const lines = (await readFile(sonarCsvPath(), 'utf8')).trimEnd().split('\n');
    const cells = lines[99]!.split(',');
    cells[4] = 'abc';
    lines[99] = cells.join(',');
    await tc.client.uploadDataset({ name: 'sonar-nan', fileName: 'sonar.csv', bytes: Buffer.from(lines.join('\n') + '\n') });
    const job = await tc.client.submitJob(quickSpec('sonar-nan', 'nan'));
    const final = await tc.client.waitForJob(job.id);
    expect(final.state).toBe('JOB_STATE_FAILED');
    expect(final.reason).toContain('sonar.csv row 100, column 5');
    expect(final.reason).toContain('"abc"');
  });

  it('refuses an upload whose bytes do not match the declared sha256, storing nothing', async () => {
    const err = await rejection(tc.client.uploadDataset({ name: 'sonar-bad-hash', fileName: 'sonar.csv', bytes: Buffer.from('1,2,R\n'), sha256: '0'.repeat(64) }));
    expect(err.kind).toBe('InvalidArgument');
    expect(err.message).toContain('sha256');
    expect((await tc.client.listDatasets()).map((d) => d.name)).not.toContain('sonar-bad-hash');
  });

  it('refuses uploads over the limit and single messages over the message limit, and keeps accepting good ones', async () => {
    const big = await rejection(tc.client.uploadDataset({ name: 'too-big', fileName: 'big.csv', bytes: Buffer.alloc(UPLOAD_LIMIT + 1, 0x31) }));
    expect(big.kind).toBe('ResourceExhausted');
    expect(big.message).toContain(`${UPLOAD_LIMIT} bytes`);
    // One 9 MiB message on the raw stream: refused by the server's message limit before any handler sees it.
    const { contracts } = await import('@tessera/proto/contracts');
    const Service = contracts().jobs.tessera.jobs.v1.JobService;
    const raw = new Service(tc.cluster.address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${tc.cluster.apiToken}`);
    const status = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = raw.uploadDataset(metadata, (e) => resolve(e));
      call.write({ header: { name: 'huge', kind: 'tabular-csv', fileName: 'huge.csv' } });
      call.write({ data: Buffer.alloc(9 * 1024 * 1024) });
      call.end();
    });
    raw.close();
    expect(status?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const names = (await tc.client.listDatasets()).map((d) => d.name);
    expect(names).not.toContain('too-big');
    expect(names).not.toContain('huge');
    const ok = await tc.client.uploadDataset({ name: 'small', fileName: 'small.csv', bytes: Buffer.from('1,2,R\n3,4,M\n') });
    expect(ok.summary).toBe('2 rows x 3 columns');
  });

  it('keeps a gang job queued until its minimum is free, and cancels it', async () => {
    const spec = quickSpec('sonar', 'too-big');
    const job = await tc.client.submitJob({ ...spec, resources: { ...spec.resources, minWorkers: 3, maxWorkers: 3 } });
    const queued = await tc.client.getJob(job.id);
    expect(queued.state).toBe('JOB_STATE_QUEUED');
    expect(queued.reason).toContain('waiting for 3 idle worker(s)');
    // A watcher that goes away (a closed dashboard tab) ends its stream at once, though the job does not change.
    const watcher = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const u of tc.client.watchJob(job.id, { signal: watcher.signal })) {
        if (u.job) seen.push(u.job.state);
        if (seen.length === 1) watcher.abort();
      }
    })();
    await watching;
    expect(seen).toEqual(['JOB_STATE_QUEUED']);
    const cancelled = await tc.client.cancelJob(job.id, 'test over');
    expect(cancelled.state).toBe('JOB_STATE_CANCELLED');
    expect(cancelled.reason).toContain('test over');
    const again = await rejection(tc.client.cancelJob(job.id).then(() => tc.client.cancelJob('job-unknown')));
    expect(again.kind).toBe('NotFound');
  });

  it('rejects segmentation zips with a mismatched mask, a corrupt .nii.gz, a truncated or pixel-less DICOM file, a series of mixed sizes and an unsupported transfer syntax, naming the file, registering nothing', async () => {
    const upload = async (name: string, files: ReadonlyMap<string, Uint8Array>): Promise<TesseraClientError> =>
      rejection(tc.client.uploadDataset({ name, kind: 'segmentation', fileName: `${name}.zip`, bytes: buildZip(files), imageHeight: 8, imageWidth: 8 }));
    const shape = await upload('seg-shape', new Map([['images/a.png', await greyPng(16, 16, () => 50)], ['masks/a.png', await greyPng(16, 12, () => 255)]]));
    expect(shape.kind).toBe('InvalidArgument');
    expect(shape.message).toContain('masks/a.png: mask shape [16, 12] differs from its image images/a.png shape [16, 16]');

    const volume = gzipSync(encodeNifti1({ data: new Float32Array(64), shape: [4, 4, 4], affine: affineFromRows([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]) }));
    const nifti = await upload('seg-nifti', new Map([['images/ct.nii.gz', volume], ['masks/ct.nii.gz', volume.subarray(0, 40)]]));
    expect(nifti.kind).toBe('InvalidArgument');
    expect(nifti.message).toContain('masks/ct.nii.gz: gzip stream is corrupt or truncated');

    const slice = await readFile(path.join(datasetMirror(), 'dicom', 'ct-series-pcir-16px', '2062'));
    const truncated = await upload('seg-dicom', new Map([['images/ct/2062', slice], ['images/ct/2392', slice.subarray(0, slice.length - 100)]]));
    expect(truncated.kind).toBe('InvalidArgument');
    expect(truncated.message).toMatch(/images\/ct\/2392: .*(truncated|\(7FE0,0010\))/i);

    const noPixels = buildTestDicom({ transferSyntaxUid: '1.2.840.10008.1.2.1', elements: imageElements({ rows: 4, columns: 4 }) });
    const missing = await upload('seg-no-pixels', new Map([['images/ct/one', noPixels]]));
    expect(missing.kind).toBe('InvalidArgument');
    expect(missing.message).toContain('images/ct/one: no pixel data (7FE0,0010) PixelData');

    const sliceOf = (rows: number, position: string) =>
      buildTestDicom({
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        elements: [...imageElements({ rows, columns: rows, series: '1.2.9.7', position, orientation: '1\\0\\0\\0\\1\\0' }), { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(rows * rows * 2) }],
      });
    const mixed = await upload('seg-mixed', new Map([['images/ct/a', sliceOf(4, '0\\0\\0')], ['images/ct/b', sliceOf(6, '0\\0\\1')]]));
    expect(mixed.kind).toBe('InvalidArgument');
    expect(mixed.message).toContain('images/ct/b: (0028,0010) Rows differs from images/ct/a in the same series (6 against 4)');

    // JPEG baseline (.4.50), a transfer syntax Tessera does not decode.
    const baseline = buildTestDicom({
      transferSyntaxUid: '1.2.840.10008.1.2.4.50',
      elements: [...imageElements({ rows: 4, columns: 4, series: '1.2.9.8' }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(32) }],
    });
    const unsupported = await upload('seg-syntax', new Map([['images/ct/baseline', baseline]]));
    expect(unsupported.kind).toBe('InvalidArgument');
    expect(unsupported.message).toContain('images/ct/baseline: unsupported transfer syntax 1.2.840.10008.1.2.4.50 in (0002,0010) TransferSyntaxUID');

    const names = (await tc.client.listDatasets()).map((d) => d.name);
    for (const name of ['seg-shape', 'seg-nifti', 'seg-dicom', 'seg-no-pixels', 'seg-mixed', 'seg-syntax']) expect(names).not.toContain(name);
  });

  it('still serves and trains after all of the above', async () => {
    const job = await tc.client.submitJob(quickSpec('sonar', 'after'));
    const final = await tc.client.waitForJob(job.id);
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
  });
});
