import { describe, expect, it } from 'vitest';
import { caseFileStem, segmentationMaskKey, segmentationOverlayKey, segmentationPredictionPrefix, segmentationSummaryKey } from './segmentation-outputs.ts';
import { caseAgreement, labelsFromProbabilities, mergeSegmentationParts, scoreCase } from './segmentation-summary.ts';

const about = { job: 'job-p', sourceJob: 'job-s', step: 12, dataset: 'lungs', datasetSha256: 'ab'.repeat(32), split: 'valid', threshold: 0.5 };

describe('labelsFromProbabilities', () => {
  it('thresholds one sigmoid channel strictly above the threshold, as the trainer scores', () => {
    expect([...labelsFromProbabilities(Float32Array.of(0.1, 0.5, 0.51, 0.9), 1, 0.5)]).toEqual([0, 0, 1, 1]);
    expect([...labelsFromProbabilities(Float32Array.of(0.1, 0.5, 0.49, 0.9), 1, 0.8)]).toEqual([0, 0, 0, 1]);
  });

  it('takes the most probable class of a softmax', () => {
    expect([...labelsFromProbabilities(Float32Array.of(0.7, 0.2, 0.1, 0.1, 0.3, 0.6), 3, 0.5)]).toEqual([0, 2]);
  });

  it('refuses probabilities that are not whole voxels', () => {
    expect(() => labelsFromProbabilities(new Float32Array(5), 2, 0.5)).toThrow('5 probabilities are not a whole number of 2-channel voxels');
  });
});

describe('caseAgreement', () => {
  it('counts Dice and IoU of binary masks by hand', () => {
    // predicted 3 voxels, true 2, overlap 1: Dice 2/5, IoU 1/4.
    const result = caseAgreement(Uint8Array.of(1, 1, 1, 0, 0), Uint8Array.of(1, 0, 0, 1, 0), 2);
    expect(result).toEqual({ dice: 0.4, iou: 0.25, predictedVoxels: 3, trueVoxels: 2 });
  });

  it('scores two empty masks 1, a non-empty against an empty one 0', () => {
    expect(caseAgreement(new Uint8Array(4), new Uint8Array(4), 2)).toMatchObject({ dice: 1, iou: 1 });
    expect(caseAgreement(Uint8Array.of(0, 1, 0, 0), new Uint8Array(4), 2)).toMatchObject({ dice: 0, iou: 0 });
  });

  it('averages over foreground classes of a multi-class mask', () => {
    // class 1: predicted {0}, true {0}: 1; class 2: predicted {1}, true {2}: 0.
    const result = caseAgreement(Uint8Array.of(1, 2, 0), Uint8Array.of(1, 0, 2), 3);
    expect(result).toEqual({ dice: 0.5, iou: 0.5, predictedVoxels: 2, trueVoxels: 2 });
  });
});

describe('mergeSegmentationParts', () => {
  it('joins the ranks sorted by id and averages the labeled cases only', () => {
    const summary = mergeSegmentationParts(
      [
        { cases: [scoreCase('10', Uint8Array.of(1, 1), Uint8Array.of(1, 1), 2), scoreCase('test-a', Uint8Array.of(1, 0), undefined, 2)] },
        { cases: [scoreCase('2', Uint8Array.of(1, 0), Uint8Array.of(0, 1), 2)] },
      ],
      about,
    );
    expect(summary).toEqual({
      ...about,
      cases: [
        { id: '2', dice: 0, iou: 0, predictedVoxels: 1, trueVoxels: 1 },
        { id: '10', dice: 1, iou: 1, predictedVoxels: 2, trueVoxels: 2 },
        { id: 'test-a', dice: null, iou: null, predictedVoxels: 1, trueVoxels: null },
      ],
      meanDice: 0.5,
      meanIou: 0.5,
    });
  });

  it('gives null means when no case is labeled', () => {
    const summary = mergeSegmentationParts([{ cases: [scoreCase('a', Uint8Array.of(0), undefined, 2)] }], about);
    expect([summary.meanDice, summary.meanIou]).toEqual([null, null]);
  });

  it('names two cases that would write the same files, across ranks too', () => {
    const a = scoreCase('case 1', Uint8Array.of(0), undefined, 2);
    const b = scoreCase('case_1', Uint8Array.of(0), undefined, 2);
    expect(() => mergeSegmentationParts([{ cases: [a] }, { cases: [b] }], about)).toThrow("cases 'case 1' and 'case_1' would share the output name 'case_1'");
    expect(() => mergeSegmentationParts([{ cases: [a] }, { cases: [a] }], about)).toThrow("two cases share the id 'case 1'");
  });
});

describe('segmentation output keys', () => {
  it('puts masks, overlays and the summary under the prefix', () => {
    const prefix = segmentationPredictionPrefix({ output: {} }, 'job-7');
    expect(prefix).toBe('jobs/job-7/predictions');
    expect(segmentationPredictionPrefix({ output: { prefix: 'runs/a' } }, 'job-7')).toBe('runs/a');
    expect(segmentationSummaryKey(prefix)).toBe('jobs/job-7/predictions/summary.json');
    expect(segmentationMaskKey(prefix, 'MCUCXR_0001_0')).toBe('jobs/job-7/predictions/masks/MCUCXR_0001_0.nii.gz');
    expect(segmentationOverlayKey(prefix, 'a b/c')).toBe('jobs/job-7/predictions/overlays/a_b_c.png');
    expect(caseFileStem('..')).toBe('__');
  });
});
