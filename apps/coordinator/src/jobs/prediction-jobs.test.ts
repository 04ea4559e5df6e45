import { describe, expect, it } from 'vitest';
import { parseJobSpec, type JobSpec } from '@tessera/core/jobs/job-spec';
import { writeCheckpoint } from '@tessera/storage/checkpoints/checkpoint-store';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { MemoryJobStore } from '../store/memory-job-store.ts';
import { isPredictionSpec, jobResultKey, predictionDatasetProblem, resolvePredictionSource, type PredictionJobSpec } from './prediction-jobs.ts';

function spec(input: object): JobSpec {
  const parsed = parseJobSpec(input);
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

const segmentation = spec({ name: 'lungs', workload: 'segmentation', dataset: 'montgomery', model: { name: 'unet2d', options: { inputShape: [64, 64, 1], depth: 2 } } });
const classification = spec({ name: 'cats', workload: 'image-classification', dataset: 'dogs-vs-cats' });
const segmentPrediction = (source: { jobId: string; step?: number }, output: object = {}) =>
  spec({ name: 'p', workload: 'segmentation-prediction', source, dataset: 'montgomery', output }) as PredictionJobSpec;

async function fixture() {
  const store = new MemoryJobStore();
  const objects = new MemoryObjectStore();
  const create = (s: JobSpec) => store.createJob({ name: s.name, spec: s, datasetName: s.dataset, datasetSha256: 'ab'.repeat(32), minWorkers: 1, maxWorkers: 1 });
  const trained = await create(segmentation);
  const classifier = await create(classification);
  for (const step of [10, 20]) {
    await writeCheckpoint(objects, `jobs/${trained.id}/checkpoints`, { step, modelJson: {}, weights: new Uint8Array(4), optimizer: new Uint8Array(0), state: { step } });
  }
  return { store, objects, trained, classifier };
}

describe('resolvePredictionSource for segmentation-prediction', () => {
  it('takes the latest checkpoint of a segmentation job, or the step asked for, with its spec', async () => {
    const { store, objects, trained } = await fixture();
    const latest = await resolvePredictionSource(store, objects, segmentPrediction({ jobId: trained.id }));
    expect(latest).toMatchObject({ ok: true, step: 20, checkpointKey: `jobs/${trained.id}/checkpoints/20/manifest.json` });
    expect(latest.ok && latest.sourceSpec.workload).toBe('segmentation');
    expect(await resolvePredictionSource(store, objects, segmentPrediction({ jobId: trained.id, step: 10 }))).toMatchObject({ ok: true, step: 10 });
  });

  it('gives a reason naming the job for another workload, an unknown job or a missing step', async () => {
    const { store, objects, trained, classifier } = await fixture();
    expect(await resolvePredictionSource(store, objects, segmentPrediction({ jobId: classifier.id }))).toEqual({
      ok: false,
      reason: `source.jobId: job ${classifier.id} is an image-classification job; segmentation predictions need a segmentation checkpoint`,
    });
    expect(await resolvePredictionSource(store, objects, segmentPrediction({ jobId: 'job-none' }))).toEqual({ ok: false, reason: 'source.jobId: job job-none not found' });
    expect(await resolvePredictionSource(store, objects, segmentPrediction({ jobId: trained.id, step: 15 }))).toEqual({
      ok: false,
      reason: `source: job ${trained.id} has no complete checkpoint at step 15; it has steps 20, 10`,
    });
    const imagePrediction = spec({ name: 'p', workload: 'image-prediction', source: { jobId: trained.id }, dataset: 'x' }) as PredictionJobSpec;
    expect(await resolvePredictionSource(store, objects, imagePrediction)).toEqual({
      ok: false,
      reason: `source.jobId: job ${trained.id} is a segmentation job; predictions need an image-classification checkpoint`,
    });
  });
});

describe('segmentation-prediction data sets and results', () => {
  it('reads segmentation data sets only', () => {
    const prediction = segmentPrediction({ jobId: 'job-a' });
    expect(predictionDatasetProblem(prediction, { name: 'montgomery', kind: 'segmentation' })).toBeUndefined();
    expect(predictionDatasetProblem(prediction, { name: 'sonar', kind: 'tabular-csv' })).toBe(
      'dataset: data set sonar is a tabular-csv data set; segmentation-prediction jobs read segmentation data sets',
    );
  });

  it('leaves <prefix>/summary.json as its result, and is a prediction', () => {
    expect(jobResultKey({ id: 'job-p', spec: segmentPrediction({ jobId: 'job-a' }) })).toBe('jobs/job-p/predictions/summary.json');
    expect(jobResultKey({ id: 'job-p', spec: segmentPrediction({ jobId: 'job-a' }, { prefix: 'runs/one' }) })).toBe('runs/one/summary.json');
    expect(jobResultKey({ id: 'job-s', spec: segmentation })).toBeUndefined();
    expect([segmentPrediction({ jobId: 'job-a' }), segmentation].map(isPredictionSpec)).toEqual([true, false]);
  });
});
