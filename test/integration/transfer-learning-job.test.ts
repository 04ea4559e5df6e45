import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobUpdate } from '@tessera/client/tessera-client';
import { buildZip, syntheticImage } from '@tessera/storage/datasets/image-folder-fixtures';
import { objectStoreConfigFromEnv, openObjectStore } from '@tessera/storage/open-object-store';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

// The bar at small scale: VGG16 (random weights) at 64x64, the whole transfer-learning job (top on cached
// features, then fine-tune of block 5) on 2 workers, killed mid fine-tune and resumed on the spare worker.
const TRAIN_PER_CLASS = 8;
const VALID_PER_CLASS = 2;
const SIZE = 64;

// 16 train images, 8 per rank, 4 per rank per step: 2 steps an epoch. Phase 1 is steps 0-4, phase 2 steps 4-10.
const spec = {
  name: 'vgg16-transfer',
  workload: 'image-classification',
  dataset: 'dark-bright-64',
  model: { name: 'vgg16-notop', options: { inputShape: [SIZE, SIZE, 3] } },
  top: { denseUnits: 16, dropout: 0.25 },
  training: { batchSize: 8, learningRate: 0.001, seed: 3 },
  phases: [
    { kind: 'top', epochs: 2, cachedFeatures: true },
    { kind: 'fine-tune', unfreezeFrom: 'block5_conv1', epochs: 3 },
  ],
  resources: { minWorkers: 2, maxWorkers: 2 },
  checkpoint: { everyEpochs: 1 },
};
const PHASE_1_END = 4;
const TOTAL_STEPS = 10;
// The first checkpoint inside phase 2 (end of epoch 3); the kill follows it, so the job resumes mid fine-tune.
const KILL_AFTER_CHECKPOINT_AT = 6;

/** Dark and bright solid images (syntheticImage encodes its seed as a colour), as in image-job.test.ts. */
async function darkAndBrightZip(): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  const per = TRAIN_PER_CLASS + VALID_PER_CLASS;
  const classes: Record<string, number[]> = { dark: [], bright: [] };
  for (let seed = 1; classes.dark!.length < per || classes.bright!.length < per; seed += 1) {
    const channels = [(seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256];
    if (Math.max(...channels) < 90 && classes.dark!.length < per) classes.dark!.push(seed);
    if (Math.min(...channels) > 165 && classes.bright!.length < per) classes.bright!.push(seed);
  }
  for (const [className, seeds] of Object.entries(classes)) {
    for (const [i, seed] of seeds.entries()) {
      files.set(`${i < TRAIN_PER_CLASS ? 'train' : 'valid'}/${className}/${seed}.png`, await syntheticImage(seed, 'png', { width: SIZE, height: SIZE }));
    }
  }
  return buildZip(files);
}

describe('a VGG16 transfer-learning job on 2 workers', () => {
  let tc: TestCluster;

  beforeAll(async () => {
    // A third worker stands by, so the job survives losing one of its two. A worker beats on the thread that runs
    // tfjs, and one VGG16 step on a loaded 2-core machine can hold it for seconds: the timeout allows for that (the
    // killed worker is found through its broken ring or this timeout).
    tc = await startTestCluster({ workers: 3, label: 'transfer', env: { TESSERA_HEARTBEAT_MS: '1000', TESSERA_HEARTBEAT_TIMEOUT_MS: '30000' } });
    const dataset = await tc.client.uploadDataset({
      name: 'dark-bright-64',
      kind: 'image-folder',
      fileName: 'dark-bright-64.zip',
      bytes: await darkAndBrightZip(),
      imageHeight: SIZE,
      imageWidth: SIZE,
    });
    expect(dataset.summary).toBe('20 images (16 train, 4 valid), 2 classes, 64x64 RGB');
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('runs top on cached features then fine-tune, checkpoints each phase, and resumes in phase 2 without recomputing features', async () => {
    const submitted = await tc.client.submitJob(spec);
    const updates: JobUpdate[] = [];
    let victim = '';
    let workerIds: readonly string[] = [];
    const final: Job = await tc.client.waitForJob(submitted.id, (u) => {
      updates.push(u);
      if (u.job) workerIds = u.job.workerIds;
      const checkpointStep = Number(/^checkpoint at step (\d+)/.exec(u.event?.kind === 'checkpoint' ? u.event.message : '')?.[1] ?? -1);
      if (!victim && checkpointStep >= KILL_AFTER_CHECKPOINT_AT) {
        victim = workerIds[1] ?? '';
        tc.cluster.workers[Number(victim.replace('local-', ''))]?.kill('SIGKILL');
      }
    });
    expect(victim, `the job ended before the kill: ${final.state} ${final.reason}`).not.toBe('');
    expect(final.state, final.reason).toBe('JOB_STATE_SUCCEEDED');
    expect(Number(final.generation)).toBe(2);
    expect(final.workerIds).not.toContain(victim);
    expect(Number(final.totalSteps)).toBe(TOTAL_STEPS);
    expect(Number(final.step)).toBe(TOTAL_STEPS);
    expect(Number(final.totalEpochs)).toBe(5);

    const infos = updates.flatMap((u) => (u.event?.kind === 'info' ? [u.event.message] : []));
    const resumedAt = infos.findIndex((m) => /^rank \d resumed from jobs\/.+\/checkpoints\/\d+\/manifest\.json at step \d+$/.test(m));
    expect(resumedAt, infos.join('\n')).toBeGreaterThan(0);
    const resumedStep = Number(/at step (\d+)$/.exec(infos[resumedAt]!)?.[1]);
    expect(resumedStep).toBeGreaterThanOrEqual(KILL_AFTER_CHECKPOINT_AT);
    expect(resumedStep).toBeLessThan(TOTAL_STEPS);
    const before = infos.slice(0, resumedAt);
    const after = infos.slice(resumedAt);

    // Generation 1: both phases began, and each rank computed and stored its features once per split.
    expect(before.filter((m) => m.startsWith('phase '))).toEqual([
      'phase 1/2 top on the frozen base, cached bottleneck features, no augmentation, lr 0.001, 2 epochs (steps 0-4)',
      'phase 2/2 fine-tune from block5_conv1, lr 0.0001, 3 epochs (steps 4-10)',
    ]);
    expect(before.filter((m) => / computed bottleneck features /.test(m)).sort()).toEqual([
      expect.stringMatching(/^rank 0 computed bottleneck features of train images 0-8 \(8 x \[2, 2, 512\]; none cached\) and stored them at jobs\/.+\/features\/train\/0-8\.tsbf$/),
      expect.stringMatching(/^rank 0 computed bottleneck features of valid images 0-2 /),
      expect.stringMatching(/^rank 1 computed bottleneck features of train images 8-16 /),
      expect.stringMatching(/^rank 1 computed bottleneck features of valid images 2-4 /),
    ]);
    // Generation 2: straight back into phase 2; phase 1 is not redone and no features are computed or even read.
    expect(after.filter((m) => m.startsWith('phase '))).toEqual([`phase 2/2 fine-tune from block5_conv1, lr 0.0001, 3 epochs (steps 4-10): resumed at step ${resumedStep}`]);
    expect(after.filter((m) => /bottleneck features/.test(m))).toEqual([]);

    const validAccuracy = updates.flatMap((u) => (u.metric?.split === 'valid' && u.metric.name === 'accuracy' ? [u.metric.value] : []));
    expect(validAccuracy.length).toBeGreaterThanOrEqual(5);
    expect(final.latestMetrics['valid/loss']).toBeGreaterThan(0);

    const objects = await openObjectStore(objectStoreConfigFromEnv(tc.env, { dataDir: tc.dataDir }));
    expect(await objects.list(`jobs/${final.id}/features/`)).toEqual(
      ['train/0-8', 'train/8-16', 'valid/0-2', 'valid/2-4'].map((name) => `jobs/${final.id}/features/${name}.tsbf`),
    );
    // A checkpoint per epoch, each recording its phase; the one at the end of phase 1 holds phase 1's state.
    const phaseByStep = new Map<number, number>();
    for (const key of await objects.list(`jobs/${final.id}/checkpoints/`)) {
      const step = /checkpoints\/(\d+)\/state\.json$/.exec(key)?.[1];
      if (step === undefined) continue;
      phaseByStep.set(Number(step), (JSON.parse((await objects.get(key)).toString('utf8')) as { phase: number }).phase);
    }
    expect(phaseByStep.get(2)).toBe(0);
    expect(phaseByStep.get(PHASE_1_END)).toBe(0);
    expect(phaseByStep.get(KILL_AFTER_CHECKPOINT_AT)).toBe(1);
    expect(phaseByStep.get(TOTAL_STEPS)).toBe(1);
    expect(final.checkpointKey).toBe(`jobs/${final.id}/checkpoints/${TOTAL_STEPS}/manifest.json`);
  }, 300_000);
});
