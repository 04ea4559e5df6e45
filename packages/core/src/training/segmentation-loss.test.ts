import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceDiceLossSum, diceLossSum, maskScoreSums, maskScores, softDice } from './segmentation-loss.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A [n, 2, 2, 1] batch from rows of four pixel values. */
const batch = (...images: number[][]) => tf.tensor4d(images.flat(), [images.length, 2, 2, 1]);

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

describe('segmentation metrics', () => {
  it('score a perfect mask 1, a disjoint one 0, partial overlap the exact fraction, both empty 1', async () => {
    const truth = batch([1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]);
    // Probabilities thresholded at 0.5: perfect; disjoint; overlap 2 of predicted 4 and true 3; predicted 1 on empty
    // truth; both empty.
    const predicted = batch([0.9, 0.6, 0.1, 0.4], [0.2, 0.3, 0.8, 0.7], [0.9, 0.9, 0.2, 0.8], [0.7, 0, 0, 0], [0.1, 0.2, 0.5, 0]);
    const scores = maskScores(predicted, truth);
    const dice = await values(scores.dice);
    const iou = await values(scores.iou);
    const expectedDice = [1, 0, (2 * 2) / (3 + 3), 0, 1];
    const expectedIou = [1, 0, 2 / 4, 0, 1];
    dice.forEach((d, i) => expect(d).toBeCloseTo(expectedDice[i]!, 6));
    iou.forEach((v, i) => expect(v).toBeCloseTo(expectedIou[i]!, 6));
    const sums = await maskScoreSums(predicted, truth);
    expect(sums.count).toBe(5);
    expect(sums.diceSum).toBeCloseTo(1 + 0 + 2 / 3 + 0 + 1, 5);
    expect(sums.iouSum).toBeCloseTo(2.5, 5);
    tf.dispose([truth, predicted]);
  });

  it('averages softmax classes 1..k-1 per image, leaving background out', async () => {
    // Labels per pixel, 3 classes: class 1 perfect, class 2 predicted on 1 of its 2 pixels and nowhere else.
    const truth = tf.oneHot(tf.tensor3d([0, 1, 2, 2], [1, 2, 2], 'int32'), 3);
    const predicted = tf.oneHot(tf.tensor3d([0, 1, 2, 0], [1, 2, 2], 'int32'), 3);
    const scores = maskScores(predicted, truth);
    expect((await values(scores.dice))[0]).toBeCloseTo((1 + (2 * 1) / 3) / 2, 6);
    expect((await values(scores.iou))[0]).toBeCloseTo((1 + 1 / 2) / 2, 6);
    tf.dispose([truth, predicted]);
  });

  it('names both shapes when they differ', () => {
    const a = tf.zeros([1, 4, 4, 1]);
    const b = tf.zeros([1, 4, 4, 2]);
    expect(() => maskScores(a, b)).toThrow(/share one shape .* got \[1, 4, 4, 1\] and \[1, 4, 4, 2\]/);
    tf.dispose([a, b]);
  });
});

describe('segmentation losses', () => {
  it('soft Dice equals the hand-computed value with the smoothing term, and both-empty scores 1', async () => {
    const truth = batch([1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]);
    const p = batch([0.5, 1, 0.25, 0], [0, 0, 0, 0], [1, 0, 0, 0]);
    // Image 0: I = 1.5, P = 1.75, Y = 2. Image 1: both empty. Image 2: perfect.
    const dice = await values(softDice(p, truth, { smoothing: 1e-6 }));
    expect(dice[0]).toBeCloseTo((2 * 1.5 + 1e-6) / (3.75 + 1e-6), 6);
    expect(dice[1]).toBe(1);
    expect(dice[2]).toBeCloseTo(1, 6);
    const smoothed = await values(softDice(p, truth));
    expect(smoothed[0]).toBeCloseTo((3 + 1) / (3.75 + 1), 6);
    const loss = await values(diceLossSum(p, truth));
    expect(loss[0]).toBeCloseTo(1 - 4 / 4.75, 6);
    tf.dispose([truth, p]);
  });

  it('BCE + Dice sums per-image mean cross-entropy and 1 - Dice', async () => {
    const truth = batch([1, 0, 1, 0], [0, 0, 0, 1]);
    const p = batch([0.8, 0.1, 0.6, 0.3], [0.2, 0.1, 0.4, 0.9]);
    const bce = (y: number[], q: number[]) => -y.reduce((s, yi, i) => s + yi * Math.log(q[i]!) + (1 - yi) * Math.log(1 - q[i]!), 0) / y.length;
    const dice = (y: number[], q: number[]) => {
      const inter = y.reduce((s, yi, i) => s + yi * q[i]!, 0);
      return (2 * inter + 1) / (q.reduce((a, b) => a + b, 0) + y.reduce((a, b) => a + b, 0) + 1);
    };
    const images: Array<[number[], number[]]> = [
      [[1, 0, 1, 0], [0.8, 0.1, 0.6, 0.3]],
      [[0, 0, 0, 1], [0.2, 0.1, 0.4, 0.9]],
    ];
    const expected = images.reduce((s, [y, q]) => s + 0.5 * bce(y, q) + 2 * (1 - dice(y, q)), 0);
    const [loss] = await values(bceDiceLossSum(p, truth, { crossEntropyWeight: 0.5, diceWeight: 2 }));
    expect(loss).toBeCloseTo(expected, 5);
    tf.dispose([truth, p]);
  });

  it('decomposes over ranks: the sum over two halves equals the sum over the batch, and gradients are finite', async () => {
    const truth = tf.cast(tf.greater(tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 1), 0.7), 'float32');
    const logits = tf.randomNormal([4, 6, 6, 1], 0, 2, 'float32', 2);
    const whole = await values(bceDiceLossSum(tf.sigmoid(logits), truth));
    const halves = await Promise.all(
      [0, 2].map(async (lo) => (await values(bceDiceLossSum(tf.sigmoid(tf.slice(logits, lo, 2)), tf.slice(truth, lo, 2))))[0]!),
    );
    expect(halves[0]! + halves[1]!).toBeCloseTo(whole[0]!, 4);
    for (const loss of [bceDiceLossSum, diceLossSum]) {
      const grad = tf.grad((z: tf.Tensor) => loss(tf.sigmoid(z), truth))(logits);
      const g = await values(grad);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((v) => v !== 0)).toBe(true);
    }
    // Saturated probabilities (exact 0 and 1) keep finite gradients through the clipped logarithm.
    const saturated = tf.grad((p: tf.Tensor) => bceDiceLossSum(p, truth))(truth);
    expect((await values(saturated)).every(Number.isFinite)).toBe(true);
    tf.dispose([truth, logits]);
  });
});
