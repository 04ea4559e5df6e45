import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '@tessera/core/jobs/job-spec';
import { describeResult, predictionSpec, predictionWorkloadFor } from './prediction-commands.ts';

const options = { checkpoint: 'job-abc@40', dataset: 'lungs', workers: 2, watch: false };

describe('tessera predict', () => {
  it('predicts masks with a segmentation job\'s checkpoint and classifies with anything else', () => {
    expect(predictionWorkloadFor({ specJson: JSON.stringify({ workload: 'segmentation' }) })).toBe('segmentation-prediction');
    expect(predictionWorkloadFor({ specJson: JSON.stringify({ workload: 'image-classification' }) })).toBe('image-prediction');
    expect(predictionWorkloadFor({ specJson: JSON.stringify({ workload: 'tabular-classification' }) })).toBe('image-prediction');
    expect(predictionWorkloadFor(undefined)).toBe('image-prediction');
  });

  it('maps --out to the output prefix and --threshold for a segmentation prediction', () => {
    const spec = predictionSpec({ ...options, out: 'runs/lungs', threshold: 0.4, split: 'valid' }, 'segmentation-prediction');
    expect(spec).toEqual({
      name: 'predict-lungs', workload: 'segmentation-prediction', source: { jobId: 'job-abc', step: 40 }, dataset: 'lungs', split: 'valid',
      output: { prefix: 'runs/lungs' }, threshold: 0.4, resources: { minWorkers: 2 },
    });
    expect(parseJobSpec(spec).ok).toBe(true);
    expect(predictionSpec({ ...options, out: 'a.csv' }, 'image-prediction')).toMatchObject({ workload: 'image-prediction', output: { key: 'a.csv' } });
    expect(() => predictionSpec({ ...options, threshold: 0.4 }, 'image-prediction')).toThrow('--threshold: only segmentation predictions');
  });
});

describe('tessera result --download', () => {
  it('describes a segmentation summary by its cases and mean Dice, a CSV by its rows', () => {
    const summary = { split: 'valid', cases: [{ id: 'a' }, { id: 'b' }], meanDice: 0.91234 };
    expect(describeResult(Buffer.from(JSON.stringify(summary)))).toBe('the summary of 2 predicted valid cases, mean Dice 0.9123');
    expect(describeResult(Buffer.from(JSON.stringify({ ...summary, meanDice: null })))).toBe('the summary of 2 predicted valid cases');
    expect(describeResult(Buffer.from('id,label,probability\n1,dog,0.9\n2,cat,0.8\n'))).toBe('2 predictions');
  });
});
