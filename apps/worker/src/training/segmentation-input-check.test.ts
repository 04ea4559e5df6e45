import { parseModelRef } from '@tessera/core/models/model-registry';
import type { SegmentationSpec } from '@tessera/core/jobs/job-spec';
import type { SegmentationCase, SegmentationInfo } from '@tessera/storage/datasets/segmentation-manifest';
import { describe, expect, it } from 'vitest';
import { paddingNote, segmentationInputProblem } from './segmentation-input-check.ts';

function model(input: unknown): SegmentationSpec['model'] {
  const parsed = parseModelRef(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.ref;
}

function info(dims: 2 | 3, shapes: Array<readonly [number, number, number]>, size?: { height: number; width: number }): SegmentationInfo {
  const cases: SegmentationCase[] = shapes.map((shape, i) => ({ id: `case-${i}`, split: 'train', shard: 0, shape, spacing: [1, 1, 1], affine: [], foregroundVoxels: 1 }));
  return { format: 1, dims, classNames: ['background', 'lung'], source: 'png', modality: 'OT', units: 'grey', splits: { train: cases.length, valid: 0, test: 0 }, cases, shards: [], validFraction: 0.2, seed: 1, size };
}

describe('segmentationInputProblem', () => {
  it('accepts a 2D U-Net of the stored slice size and a 3D U-Net on volumes', () => {
    expect(segmentationInputProblem(model({ name: 'unet2d', options: { inputShape: [64, 64, 1], depth: 3 } }), 'cxr', info(2, [[1, 64, 64]], { height: 64, width: 64 }))).toBeUndefined();
    expect(segmentationInputProblem(model({ name: 'unet3d', options: { inputShape: [16, 16, 16, 1] } }), 'ct', info(3, [[30, 101, 122]]))).toBeUndefined();
  });

  it('names model.options.inputShape when the slice size differs from the data set', () => {
    expect(segmentationInputProblem(model({ name: 'unet2d', options: { inputShape: [128, 128, 1], depth: 3 } }), 'cxr', info(2, [[1, 64, 64]], { height: 64, width: 64 }))).toMatch(
      /^model.options.inputShape is \[128, 128, 1\] but data set cxr holds 64x64 slices/,
    );
  });

  it('names model.name when the dimensions differ, and the channel count when it is not 1', () => {
    expect(segmentationInputProblem(model({ name: 'unet2d', options: { inputShape: [64, 64, 1], depth: 3 } }), 'ct', info(3, [[30, 64, 64]]))).toMatch(/^model.name: unet2d takes 2D input but data set ct holds 3D volumes: use unet3d/);
    expect(segmentationInputProblem(model({ name: 'unet3d', options: { inputShape: [16, 16, 16, 1] } }), 'cxr', info(2, [[1, 64, 64]]))).toMatch(/use unet2d/);
    expect(segmentationInputProblem(model({ name: 'unet2d', options: { inputShape: [64, 64, 3], depth: 3 } }), 'cxr', info(2, [[1, 64, 64]]))).toMatch(/^model.options.inputShape ends in 3 channels/);
  });

  it('names the axes along which a 3D patch is padded', () => {
    expect(paddingNote(model({ name: 'unet3d', options: { inputShape: [32, 32, 32, 1] } }), info(3, [[30, 101, 122]]))).toBe(
      'the 32x32x32 patch exceeds some train volumes along depth: they are padded with their minimum',
    );
    expect(paddingNote(model({ name: 'unet3d', options: { inputShape: [16, 16, 16, 1] } }), info(3, [[30, 101, 122]]))).toBeUndefined();
  });
});
