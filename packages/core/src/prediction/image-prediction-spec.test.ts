import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '../jobs/job-spec.ts';
import { defaultPredictionKey, parseCheckpointRef, predictionOutputKey } from './prediction-target.ts';

const minimal = { name: 'kaggle-test1', workload: 'image-prediction', source: { jobId: 'job-0mihq3k2x7f9a2cq' }, dataset: 'dogs-vs-cats-test1' };

describe('parseJobSpec for image-prediction', () => {
  it('fills the defaults: latest checkpoint, split chosen by the worker, output under the job, one worker', () => {
    const result = parseJobSpec(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok || result.spec.workload !== 'image-prediction') throw new Error('not a prediction spec');
    expect(result.spec.source).toEqual({ jobId: 'job-0mihq3k2x7f9a2cq' });
    expect(result.spec.split).toBeUndefined();
    expect(result.spec.output).toEqual({});
    expect(result.spec.batchSize).toBe(64);
    expect(result.spec.resources).toEqual({ minWorkers: 1, maxWorkers: 1, priority: 0 });
    expect(predictionOutputKey(result.spec, 'job-1')).toBe('jobs/job-1/predictions.csv');
    expect(parseJobSpec(JSON.parse(JSON.stringify(result.spec)))).toEqual(result);
  });

  it('keeps a step, a split and an output key', () => {
    const result = parseJobSpec({ ...minimal, source: { jobId: 'job-x', step: 36 }, split: 'valid', output: { key: 'submissions/run-1.csv' }, resources: { minWorkers: 2 } });
    expect(result).toMatchObject({ ok: true, spec: { source: { jobId: 'job-x', step: 36 }, split: 'valid', output: { key: 'submissions/run-1.csv' } } });
    if (!result.ok || result.spec.workload !== 'image-prediction') return;
    expect(predictionOutputKey(result.spec, 'job-1')).toBe('submissions/run-1.csv');
  });

  it.each([
    [{ ...minimal, source: {} }, 'source.jobId'],
    [{ ...minimal, source: { jobId: '../etc' } }, 'source.jobId'],
    [{ ...minimal, source: { jobId: 'job-1', step: -1 } }, 'source.step'],
    [{ ...minimal, source: { jobId: 'job-1', at: 3 } }, 'source'],
    [{ ...minimal, dataset: 'test1/' }, 'dataset'],
    [{ ...minimal, split: 'holdout' }, 'split'],
    [{ ...minimal, output: { key: '../escape.csv' } }, 'output.key'],
    [{ ...minimal, output: { key: '/abs.csv' } }, 'output.key'],
    [{ ...minimal, output: { key: 'datasets/sonar/x.csv' } }, 'output.key'],
    [{ ...minimal, output: { key: 'jobs/job-1/checkpoints/5/manifest.json' } }, 'output.key'],
    [{ ...minimal, output: { key: 'a b.csv' } }, 'output.key'],
    [{ ...minimal, batchSize: 0 }, 'batchSize'],
    [{ ...minimal, training: { epochs: 1 } }, ''],
  ])('names the field at fault (%#)', (input, field) => {
    const result = parseJobSpec(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('lists the new workload among the accepted ones', () => {
    const result = parseJobSpec({ ...minimal, workload: 'detection' });
    expect(result).toMatchObject({ ok: false, field: 'workload' });
    if (result.ok) return;
    expect(result.message).toContain('"image-prediction"');
    expect(result.message).toContain('"segmentation-prediction"');
  });
});

describe('parseCheckpointRef', () => {
  it('splits JOB_ID@STEP and leaves the step out for the latest checkpoint', () => {
    expect(parseCheckpointRef('job-0mihq3k2x7f9a2cq')).toEqual({ jobId: 'job-0mihq3k2x7f9a2cq' });
    expect(parseCheckpointRef('job-0mihq3k2x7f9a2cq@36')).toEqual({ jobId: 'job-0mihq3k2x7f9a2cq', step: 36 });
    expect(() => parseCheckpointRef('job-1@latest')).toThrow("checkpoint 'job-1@latest': the step after @ must be a whole number, got 'latest'");
    expect(() => parseCheckpointRef('job-1@')).toThrow(/whole number/);
  });

  it('puts the default CSV beside the job', () => {
    expect(defaultPredictionKey('job-abc')).toBe('jobs/job-abc/predictions.csv');
  });
});
