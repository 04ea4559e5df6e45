import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictSlidingWindow, windowOrigins } from './sliding-window.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sliding-window prediction', () => {
  it('covers an axis with overlapping windows, the last flush with the end', () => {
    expect(windowOrigins(10, 4, 0.5)).toEqual([0, 2, 4, 6]);
    expect(windowOrigins(11, 4, 0.5)).toEqual([0, 2, 4, 6, 7]);
    expect(windowOrigins(8, 4, 0)).toEqual([0, 4]);
    expect(windowOrigins(3, 4, 0.25)).toEqual([-1]);
  });

  it('gives back the volume through an identity model, whatever the overlap and batch (every voxel covered)', async () => {
    const shape = [5, 7, 9] as const;
    const image = Float32Array.from({ length: 5 * 7 * 9 }, (_, i) => Math.sin(i));
    for (const [overlap, batchSize] of [[0, 1], [0.5, 3], [0.75, 16]] as const) {
      const out = await predictSlidingWindow((x) => tf.clone(x), image, shape, { patch: [4, 4, 4], overlap, batchSize });
      expect(out.length).toBe(image.length);
      out.forEach((v, i) => expect(v).toBeCloseTo(image[i]!, 5));
    }
  });

  it('averages overlapping windows: a model that says where the window is gives the mean window position', async () => {
    // Each window predicts its own index: along width 6 with patch 4 and overlap 0.5 the windows start at 0 and 2.
    let window = 0;
    const out = await predictSlidingWindow((x) => tf.fill(x.shape, window++), new Float32Array(6), [1, 1, 6], { patch: [1, 1, 4], overlap: 0.5, batchSize: 1 });
    expect([...out]).toEqual([0, 0, 0.5, 0.5, 1, 1]);
  });

  it('pads a volume smaller than the patch with its minimum and returns only the volume', async () => {
    const seen: number[][] = [];
    const out = await predictSlidingWindow(
      (x) => {
        seen.push(Array.from(x.dataSync()));
        return tf.clone(x);
      },
      Float32Array.of(3, 5),
      [1, 1, 2],
      { patch: [1, 1, 4], overlap: 0.25, batchSize: 2 },
    );
    expect(seen).toEqual([[3, 3, 5, 3]]);
    expect([...out]).toEqual([3, 5]);
  });

  it('keeps several channels, channels last', async () => {
    const out = await predictSlidingWindow((x) => tf.concat([x, tf.neg(x)], 4), Float32Array.of(1, 2, 3, 4), [1, 2, 2], { patch: [1, 2, 2], overlap: 0, batchSize: 1 });
    expect([...out]).toEqual([1, -1, 2, -2, 3, -3, 4, -4]);
  });
});
