import { describe, expect, it } from 'vitest';
import { checkRank, RankBatches, runEpochs } from './epoch-loop.ts';
import type { EpochLoop, EpochLoopHooks, LoopEpochProgress } from './epoch-loop.ts';

type Progress = LoopEpochProgress<string>;

/** A trainer whose step k has loss k (or a promise of it, as a device-resident loss), recording its epoch ends. */
function scriptedLoop(options: { totalSteps: number; stepsPerEpoch: number; metricsEveryEpochs: number; deviceLosses?: boolean }) {
  let step = 0;
  const ends: { epoch: number; step: number; epochLoss: number; due: boolean }[] = [];
  const loop: EpochLoop<string, Progress> = {
    totalSteps: options.totalSteps,
    stepsPerEpoch: options.stepsPerEpoch,
    metricsEveryEpochs: options.metricsEveryEpochs,
    step: () => step,
    queueStep: () => {
      step += 1;
      return Promise.resolve({ loss: options.deviceLosses === true ? Promise.resolve(step) : step });
    },
    endEpoch: (end) => {
      ends.push(end);
      return Promise.resolve({ epoch: end.epoch, step: end.step, metrics: end.due ? [`eval@${end.step}`] : [] });
    },
  };
  return { loop, ends };
}

describe('runEpochs', () => {
  it.each([false, true])('reports every step in order, the epoch mean loss, and metrics when due (device losses: %s)', async (deviceLosses) => {
    const { loop, ends } = scriptedLoop({ totalSteps: 9, stepsPerEpoch: 3, metricsEveryEpochs: 2, deviceLosses });
    const steps: [number, number, number][] = [];
    const epochs: Progress[] = [];
    const result = await runEpochs(loop, {
      onStep: ({ step, epoch, loss, totalSteps }) => {
        expect(totalSteps).toBe(9);
        steps.push([step, epoch, loss]);
      },
      onEpoch: (progress) => {
        epochs.push(progress);
      },
    });
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => [s, Math.ceil(s / 3), s]));
    // Due every 2nd epoch and at the last step.
    expect(ends).toEqual([
      { epoch: 1, step: 3, epochLoss: 2, due: false },
      { epoch: 2, step: 6, epochLoss: 5, due: true },
      { epoch: 3, step: 9, epochLoss: 8, due: true },
    ]);
    expect(epochs.map((e) => e.metrics)).toEqual([[], ['eval@6'], ['eval@9']]);
    expect(result).toEqual({ status: 'completed', step: 9, epoch: 3, metrics: ['eval@9'] });
  });

  it('stops before a step when told, keeping the last due metrics', async () => {
    const { loop } = scriptedLoop({ totalSteps: 8, stepsPerEpoch: 2, metricsEveryEpochs: 1 });
    const controller = new AbortController();
    const hooks: EpochLoopHooks<string, Progress> = {
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 5) controller.abort();
      },
    };
    expect(await runEpochs(loop, hooks)).toEqual({ status: 'stopped', step: 5, epoch: 2, metrics: ['eval@4'] });
    let asked = 0;
    const { loop: other } = scriptedLoop({ totalSteps: 8, stepsPerEpoch: 2, metricsEveryEpochs: 1 });
    const stopped = await runEpochs(other, { shouldStop: () => ++asked > 3 });
    expect(stopped).toMatchObject({ status: 'stopped', step: 3, metrics: ['eval@2'] });
  });

  it('resumes mid-epoch from the step the trainer is at', async () => {
    const { loop, ends } = scriptedLoop({ totalSteps: 6, stepsPerEpoch: 3, metricsEveryEpochs: 1 });
    await loop.queueStep();
    await loop.queueStep();
    const result = await runEpochs(loop, {});
    // The first epoch's mean covers only the step run here (step 3).
    expect(ends.map((e) => [e.step, e.epochLoss])).toEqual([
      [3, 3],
      [6, 5],
    ]);
    expect(result.status).toBe('completed');
  });
});

describe('RankBatches', () => {
  it('splits the global batch over ranks and runs each epoch until the fullest rank is through', () => {
    const batches = new RankBatches([10, 7, 3], 8);
    expect(batches.local).toEqual([2, 3, 3]);
    expect(batches.stepsPerEpoch).toBe(5);
    expect(batches.sizesAt(0)).toEqual([2, 3, 3]);
    expect(batches.sizesAt(2)).toEqual([2, 1, 0]);
    expect(batches.sizesAt(4)).toEqual([2, 0, 0]);
  });

  it('refuses a global batch smaller than the number of ranks', () => {
    expect(() => new RankBatches([4, 4, 4], 2)).toThrow('training.batchSize 2 is smaller than the 3 workers');
  });

  it('has at least one step an epoch', () => {
    expect(new RankBatches([0, 0], 4).stepsPerEpoch).toBe(1);
  });
});

describe('checkRank', () => {
  it.each([
    [0, 1],
    [2, 3],
  ])('accepts rank %i of %i', (rank, worldSize) => {
    expect(() => checkRank(rank, worldSize)).not.toThrow();
  });

  it.each([
    [1, 1],
    [-1, 2],
    [0.5, 2],
    [0, 0],
  ])('refuses rank %s of %s', (rank, worldSize) => {
    expect(() => checkRank(rank, worldSize)).toThrow(`invalid rank ${rank} of world size ${worldSize}`);
  });
});
