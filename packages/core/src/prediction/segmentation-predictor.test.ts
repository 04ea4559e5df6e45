import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SegmentationSample, VolumeShape } from '../data/segmentation-shard-format.ts';
import { predictSegmentationCases, segmentationModelInput, type PredictedCase } from './segmentation-predictor.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 1x1 convolution with sigmoid(20 (x - 0.5)): foreground where the normalised input exceeds 0.5. */
function pointModel(inputShape: number[]): tfl.LayersModel {
  const conv = inputShape.length === 3
    ? tfl.layers.conv2d({ inputShape, filters: 1, kernelSize: 1, activation: 'sigmoid' })
    : tfl.layers.conv3d({ inputShape, filters: 1, kernelSize: 1, activation: 'sigmoid' });
  const model = tfl.sequential({ layers: [conv] });
  const kernelShape = inputShape.length === 3 ? [1, 1, 1, 1] : [1, 1, 1, 1, 1];
  model.layers[0]?.setWeights([tf.fill(kernelShape, 20), tf.tensor1d([-10])]);
  return model;
}

/** A case whose voxels are `values` (grey levels 0..255), its mask those above 127. */
function sample(id: string, shape: VolumeShape, values: readonly number[]): SegmentationSample {
  return { id, split: 'valid', shape, spacing: [1, 1, 1], image: Float32Array.from(values), mask: Uint8Array.from(values, (v) => (v > 127 ? 1 : 0)) };
}

async function predictAll(
  model: tfl.LayersModel,
  samples: readonly SegmentationSample[],
  batchSize: number,
  onFirstForward?: (forward: () => tf.TensorContainer) => Promise<void>,
): Promise<PredictedCase[]> {
  const seen: PredictedCase[] = [];
  await predictSegmentationCases(model, samples, {
    intensity: { kind: 'range', min: 0, max: 255 },
    threshold: 0.5,
    batchSize,
    overlap: 0.5,
    onFirstForward,
    onCase: (c) => {
      seen.push(c);
      return Promise.resolve();
    },
  });
  return seen;
}

describe('segmentationModelInput', () => {
  it('reads slice and patch models and refuses others', () => {
    expect(segmentationModelInput(pointModel([4, 6, 1]))).toEqual({ kind: 'slices', height: 4, width: 6 });
    expect(segmentationModelInput(pointModel([2, 4, 6, 1]))).toEqual({ kind: 'patches', patch: [2, 4, 6] });
    const dense = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 1 })] });
    expect(() => segmentationModelInput(dense)).toThrow('the model takes [null, 3]; a segmentation model takes');
  });
});

describe('predictSegmentationCases', () => {
  const grey = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 97 + seed * 31) % 256));

  it('fills passes with slices of consecutive cases and hands each case over once, in order', async () => {
    const model = pointModel([2, 3, 1]);
    // Depths 1, 3, 1, 2: with 2 slices per pass the volume's slices straddle passes.
    const samples = [sample('a', [1, 2, 3], grey(6, 1)), sample('b', [3, 2, 3], grey(18, 2)), sample('c', [1, 2, 3], grey(6, 3)), sample('d', [2, 2, 3], grey(12, 4))];
    for (const batchSize of [1, 2, 5, 16]) {
      const seen = await predictAll(model, samples, batchSize);
      expect(seen.map((c) => c.sample.id)).toEqual(['a', 'b', 'c', 'd']);
      for (const c of seen) {
        expect([...c.labels]).toEqual([...(c.sample.mask as Uint8Array)]);
        expect(c.input).toEqual(Float32Array.from(c.sample.image, (v) => v / 255));
      }
    }
  });

  it('predicts volumes of any shape patch by patch with a patch model', async () => {
    const model = pointModel([2, 2, 2, 1]);
    const seen = await predictAll(model, [sample('v', [3, 5, 4], grey(60, 5)), sample('w', [1, 1, 1], [200])], 3);
    expect(seen.map((c) => c.sample.id)).toEqual(['v', 'w']);
    for (const c of seen) expect([...c.labels]).toEqual([...(c.sample.mask as Uint8Array)]);
  });

  it('hands the first forward pass, once and before any case is done, to onFirstForward, and predicts the same', async () => {
    const events: string[] = [];
    const shapes: number[][] = [];
    const record = async (forward: () => tf.TensorContainer) => {
      events.push('first forward');
      const out = forward() as tf.Tensor;
      shapes.push(out.shape);
      events.push(`max ${Math.max(...(await out.data())).toFixed(3)}`);
      out.dispose();
    };
    const options = (onCase: string) => ({
      intensity: { kind: 'range', min: 0, max: 255 } as const,
      threshold: 0.5,
      batchSize: 3,
      overlap: 0.5,
      onFirstForward: record,
      onCase: (c: PredictedCase) => {
        expect([...c.labels]).toEqual([...(c.sample.mask as Uint8Array)]);
        events.push(`${onCase} ${c.sample.id}`);
        return Promise.resolve();
      },
    });
    // Slices: the first pass is the first 3 slices (case a's one and two of b's), computed on their real values.
    const [sliceModel, patchModel] = [pointModel([2, 3, 1]), pointModel([2, 2, 2, 1])];
    const before = tf.memory().numTensors;
    await predictSegmentationCases(sliceModel, [sample('a', [1, 2, 3], grey(6, 1)), sample('b', [3, 2, 3], grey(18, 2))], options('slice'));
    expect(shapes).toEqual([[3, 2, 3, 1]]);
    expect(events.slice(0, 2)).toEqual(['first forward', 'max 1.000']);
    expect(events.slice(2)).toEqual(['slice a', 'slice b']);
    // Patches: the first case's first pass (3 of its 2 x 4 x 3 windows), shaped as the model takes it.
    events.length = 0;
    shapes.length = 0;
    await predictSegmentationCases(patchModel, [sample('v', [3, 5, 4], grey(60, 5)), sample('w', [1, 1, 1], [200])], options('patch'));
    expect(shapes).toEqual([[3, 2, 2, 2, 1]]);
    expect(events[0]).toBe('first forward');
    expect(events.slice(2)).toEqual(['patch v', 'patch w']);
    expect(tf.memory().numTensors).toBe(before);
    sliceModel.dispose();
    patchModel.dispose();
  });

  it('names a case whose slices do not fit the model', async () => {
    await expect(predictAll(pointModel([2, 3, 1]), [sample('big', [1, 4, 3], grey(12, 1))], 4)).rejects.toThrow(
      "case 'big' is 4x3 (height x width) but the model takes 2x3 slices",
    );
  });
});
