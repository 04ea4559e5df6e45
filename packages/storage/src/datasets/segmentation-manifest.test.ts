import { describe, expect, it } from 'vitest';
import type { DatasetManifest, DatasetShard } from './dataset-objects.ts';
import type { SegmentationInfo } from './segmentation-manifest.ts';
import { checkSegmentationManifest, DEIDENTIFICATION_REPORT_FILE } from './segmentation-manifest.ts';

const base = 'datasets/ct/' + 'a'.repeat(64);
const shard = (index: number, fileName: string): DatasetShard => ({ index, fileName, key: `${base}/shards/${index}.bin`, sizeBytes: 1, sha256: 'b'.repeat(64) });
const affine = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function manifest(files: readonly string[], info: Partial<SegmentationInfo> = {}): DatasetManifest {
  const segmentation: SegmentationInfo = {
    format: 1,
    dims: 3,
    classNames: ['background', 'lung'],
    source: 'dicom',
    modality: 'CT',
    units: 'HU',
    splits: { train: 0, valid: 0, test: 1 },
    cases: [{ id: 'scan', split: 'test', shard: 0, shape: [2, 4, 4], spacing: [1, 1, 1], affine, foregroundVoxels: 0 }],
    shards: [{ index: 0, split: 'test', count: 1 }],
    validFraction: 0.2,
    seed: 0,
    deidentification: { reportKey: `${base}/shards/${files.indexOf(DEIDENTIFICATION_REPORT_FILE)}.bin`, files: 2, method: 'm' },
    originals: [{ id: 'scan', files: ['dicom-scan-1.dcm', 'dicom-scan-2.dcm'] }],
    ...info,
  };
  return { format: 1, name: 'ct', kind: 'segmentation', sha256: 'a'.repeat(64), sizeBytes: files.length, summary: '', createdAt: '', shards: files.map((file, index) => shard(index, file)), segmentation } as DatasetManifest;
}

describe('checkSegmentationManifest', () => {
  it('accepts DICOM originals and the report after the packed shards', () => {
    const files = ['test-00000.tssg', 'dicom-scan-1.dcm', 'dicom-scan-2.dcm', DEIDENTIFICATION_REPORT_FILE];
    expect(checkSegmentationManifest(manifest(files), 'key').segmentation.originals?.[0]?.files).toHaveLength(2);
  });

  it('names an extra file, a missing original and a report key that points elsewhere', () => {
    expect(() => checkSegmentationManifest(manifest(['test-00000.tssg', 'dicom-scan-1.dcm', 'dicom-scan-2.dcm', 'stray.bin', DEIDENTIFICATION_REPORT_FILE]), 'key')).toThrow(/'stray.bin'/);
    expect(() => checkSegmentationManifest(manifest(['test-00000.tssg', 'dicom-scan-1.dcm', DEIDENTIFICATION_REPORT_FILE]), 'key')).toThrow(/'dicom-scan-2.dcm'/);
    const moved = manifest(['test-00000.tssg', 'dicom-scan-1.dcm', 'dicom-scan-2.dcm', DEIDENTIFICATION_REPORT_FILE], { deidentification: { reportKey: `${base}/shards/1.bin`, files: 2, method: 'm' } });
    expect(() => checkSegmentationManifest(moved, 'key')).toThrow(/reportKey/);
  });

  it('rejects cases that do not match their shards', () => {
    const files = ['test-00000.tssg', 'dicom-scan-1.dcm', 'dicom-scan-2.dcm', DEIDENTIFICATION_REPORT_FILE];
    expect(() => checkSegmentationManifest(manifest(files, { splits: { train: 1, valid: 0, test: 1 } }), 'key')).toThrow(/splits.train/);
  });
});
