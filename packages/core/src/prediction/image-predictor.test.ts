import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageRecords } from '../data/image-shard-format.ts';
import { modelInputImageShape, predictImages } from './image-predictor.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 1x1 RGB images whose pixel values are `values` (one grey level per image), labels as given. */
function greyImages(values: readonly number[], labels: readonly number[]): ImageRecords {
  return {
    count: values.length,
    height: 1,
    width: 1,
    channels: 3,
    labels: Int32Array.from(labels),
    splits: values.map(() => 'test' as const),
    ids: values.map((_, i) => `test1/${i + 1}.jpg`),
    pixels: Uint8Array.from(values.flatMap((v) => [v, v, v])),
  };
}

/** flatten -> dense(units) whose logits are `scale * (mean grey / 255) + bias` per unit. */
function linearModel(units: number, activation: 'sigmoid' | 'softmax', scale: readonly number[], bias: readonly number[]): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [1, 1, 3] }), tfl.layers.dense({ units, activation })] });
  const kernel = tf.tensor2d([0, 1, 2].flatMap(() => scale.map((s) => s / 3)), [3, units]);
  model.layers[1]?.setWeights([kernel, tf.tensor1d([...bias])]);
  return model;
}

describe('predictImages', () => {
  it('reads a sigmoid head as the probability of class 1 and reports the predicted class with its own probability', async () => {
    // logit = 4 * grey/255 - 2: black -> sigmoid(-2) = 0.119 (class 0 at 0.881), white -> sigmoid(2) = 0.881.
    const model = linearModel(1, 'sigmoid', [4], [-2]);
    expect(modelInputImageShape(model)).toEqual([1, 1, 3]);
    const done: number[] = [];
    const rows = await predictImages(model, greyImages([0, 255, 128], [0, 1, -1]), {
      classNames: ['cat', 'dog'],
      normalization: 'scale',
      batchSize: 2,
      onBatch: (n) => void done.push(n),
    });
    expect(done).toEqual([2, 3]);
    expect(rows.map((r) => [r.path, r.id, r.predicted, r.truth])).toEqual([
      ['test1/1.jpg', '1', 0, 0],
      ['test1/2.jpg', '2', 1, 1],
      ['test1/3.jpg', '3', 1, -1],
    ]);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(rows[0]?.probability).toBeCloseTo(1 - sigmoid(-2), 5);
    expect(rows[1]?.probability).toBeCloseTo(sigmoid(2), 5);
    expect(rows[2]?.probability).toBeCloseTo(sigmoid((4 * 128) / 255 - 2), 5);
    model.dispose();
  });

  it('takes the arg-max of a softmax head with its probability', async () => {
    // Three classes: logits (0, 2g, 4g - 1) for grey level g in [0, 1].
    const model = linearModel(3, 'softmax', [0, 2, 4], [0, 0, -1]);
    const rows = await predictImages(model, greyImages([0, 255], [-1, -1]), { classNames: ['a', 'b', 'c'], normalization: 'scale', batchSize: 8 });
    const softmax = (logits: number[]) => logits.map((l) => Math.exp(l) / logits.reduce((s, m) => s + Math.exp(m), 0));
    expect(rows.map((r) => r.predicted)).toEqual([0, 2]);
    expect(rows[0]?.probability).toBeCloseTo(softmax([0, 0, -1])[0] as number, 5);
    expect(rows[1]?.probability).toBeCloseTo(softmax([0, 2, 3])[2] as number, 5);
    model.dispose();
  });

  it('hands the first forward pass, once and before it runs, to onFirstForward, and predicts the same', async () => {
    const model = linearModel(1, 'sigmoid', [4], [-2]);
    const seen: number[][] = [];
    let batchesDone = 0;
    const rows = await predictImages(model, greyImages([0, 255, 128], [0, 1, -1]), {
      classNames: ['cat', 'dog'],
      normalization: 'scale',
      batchSize: 2,
      onBatch: () => void (batchesDone += 1),
      onFirstForward: async (forward) => {
        expect(batchesDone).toBe(0);
        const out = forward() as tf.Tensor;
        seen.push(out.shape);
        seen.push(Array.from(await out.data()));
        out.dispose();
      },
    });
    expect(seen[0]).toEqual([2, 1]);
    expect(seen).toHaveLength(2);
    expect(rows.map((r) => r.predicted)).toEqual([0, 1, 1]);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    expect(seen[1]![0]).toBeCloseTo(sigmoid(-2), 5);
    model.dispose();
  });

  it('refuses a model whose head does not fit the class names', async () => {
    const model = linearModel(3, 'softmax', [0, 1, 2], [0, 0, 0]);
    await expect(predictImages(model, greyImages([1], [-1]), { classNames: ['cat', 'dog'], normalization: 'scale', batchSize: 1 })).rejects.toThrow(
      'the model ends in 3 unit(s) but its 2 class names need 1',
    );
    model.dispose();
  });
});
