import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRateAt, setOptimizerLearningRate } from './learning-rate-schedule.ts';
import { createOptimizer } from './optimizer-state.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learningRateAt', () => {
  it('keeps a constant rate', () => {
    expect([0, 5, 99].map((step) => learningRateAt('constant', 0.01, step, 0, 100))).toEqual([0.01, 0.01, 0.01]);
  });

  it('anneals along half a cosine within the phase, from the base rate to a thousandth of it', () => {
    // A phase over steps 100..199.
    expect(learningRateAt('cosine', 0.01, 100, 100, 200)).toBeCloseTo(0.01, 12);
    expect(learningRateAt('cosine', 0.01, 199, 100, 200)).toBeCloseTo(0.00001, 12);
    expect(learningRateAt('cosine', 0.01, 149.5, 100, 200)).toBeCloseTo((0.01 + 0.00001) / 2, 12);
    const rates = Array.from({ length: 100 }, (_, i) => learningRateAt('cosine', 0.01, 100 + i, 100, 200));
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
    // Outside the phase it holds at its ends; a one-step phase runs at the base rate.
    expect(learningRateAt('cosine', 0.01, 50, 100, 200)).toBeCloseTo(0.01, 12);
    expect(learningRateAt('cosine', 0.01, 7, 7, 8)).toBeCloseTo(0.01, 12);
  });
});

describe('setOptimizerLearningRate', () => {
  it.each(['sgd', 'adam', 'rmsprop'] as const)('changes the size of the next %s update', async (name) => {
    const delta = async (rate: number | undefined) => {
      const v = tf.variable(tf.tensor1d([1, -2, 3]));
      const optimizer = createOptimizer(name, 0.1);
      if (rate !== undefined) setOptimizerLearningRate(optimizer, rate);
      optimizer.applyGradients({ [v.name]: tf.tensor1d([0.5, 0.5, -0.5]) });
      const moved = Array.from(await tf.sub(v, tf.tensor1d([1, -2, 3])).data());
      optimizer.dispose();
      v.dispose();
      return moved;
    };
    const base = await delta(undefined);
    const tenth = await delta(0.01);
    expect(base.every((d) => Math.abs(d) > 0)).toBe(true);
    base.forEach((d, i) => expect(tenth[i]!).toBeCloseTo(d / 10, 6));
  });
});
