import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPartialBytes, planSplitK, targetWorkgroups, webgpuConv2DBackpropFilter } from './webgpu-conv2d-filter-grad.ts';
import { startTestWebgpu } from './webgpu-runtime.ts';
import { convOutputShape, expectClose, onBackend, seeded, type Pad } from '../testing/kernel-comparison.ts';

interface FilterCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

// Odd sides and channel counts on purpose, so every tile edge is exercised; the last two take the split-K path.
const cases: FilterCase[] = [
  { name: '3x3 same stride 1', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 1', x: [3, 8, 10, 4], filter: [3, 3, 4, 6], strides: 1, pad: 'valid' },
  { name: '3x3 same stride 2', x: [2, 11, 9, 3], filter: [3, 3, 3, 7], strides: 2, pad: 'same' },
  { name: '5x3 valid strides 2x3', x: [1, 13, 12, 2], filter: [5, 3, 2, 4], strides: [2, 3], pad: 'valid' },
  { name: '1x1 same', x: [4, 5, 6, 8], filter: [1, 1, 8, 3], strides: 1, pad: 'same' },
  { name: 'numeric pad 1', x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  { name: 'numeric pad 2, stride 2, ceil rounding', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 2, dimRoundingMode: 'ceil' },
  { name: 'explicit asymmetric pad, stride 2', x: [2, 9, 8, 3], filter: [3, 2, 3, 4], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'split-K, two N tiles (70 channels)', x: [2, 20, 20, 5], filter: [3, 3, 5, 70], strides: 1, pad: 'same' },
  { name: 'split-K, three M tiles', x: [4, 32, 32, 16], filter: [3, 3, 16, 32], strides: 1, pad: 'same' },
];

function attrsOf(c: FilterCase, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.NamedAttrMap {
  return { strides: c.strides, pad: c.pad, dataFormat, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter } as unknown as tf.NamedAttrMap;
}

describe('planSplitK', () => {
  it('gives VGG16 block 1 at batch 16 thousands of workgroups, within the partial buffer bound', () => {
    for (const [m, n] of [
      [27, 64],
      [576, 64],
    ] as const) {
      const k = 16 * 224 * 224;
      const { splits, kPerSplit } = planSplitK(m, n, k);
      expect(kPerSplit % 32).toBe(0);
      expect(splits * kPerSplit).toBeGreaterThanOrEqual(k);
      expect((splits - 1) * kPerSplit).toBeLessThan(k);
      expect(splits * Math.ceil(m / 64) * Math.ceil(n / 64)).toBeGreaterThanOrEqual(targetWorkgroups * 0.9);
      expect(splits * m * n * 4).toBeLessThanOrEqual(maxPartialBytes);
    }
  });

  it('keeps one split for a short K and bounds the partials of a wide filter', () => {
    expect(planSplitK(27, 5, 126)).toEqual({ splits: 1, kPerSplit: 128 });
    const wide = planSplitK(4608, 512, 1 << 22);
    expect(wide.splits * 4608 * 512 * 4).toBeLessThanOrEqual(maxPartialBytes);
  });
});

describe('webgpuConv2DBackpropFilter', () => {
  let stock: KernelConfig | undefined;

  beforeAll(async () => {
    await startTestWebgpu();
    stock = tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu');
    expect(stock).toBeDefined();
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu');
    tf.registerKernel({ ...stock, kernelFunc: webgpuConv2DBackpropFilter(stock.kernelFunc) });
  });

  afterAll(() => {
    if (stock === undefined) return;
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu');
    tf.registerKernel(stock);
  });

  it.each(cases)('matches cpu: $name', async (c) => {
    const x = seeded(c.x, 11);
    const dy = seeded(convOutputShape(c), 23);
    const compute = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x: x(), dy: dy() }, attrsOf(c));
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('webgpu', compute);
    expect(expected!.length).toBe(tf.util.sizeFromShape(c.filter));
    expectClose(actual!, expected!);
  });

  it('gives tf.grad of tf.conv2d the cpu filter gradient', async () => {
    const c = cases[2]!;
    const dy = seeded(convOutputShape(c), 31);
    const compute = () =>
      tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(seeded(c.x, 17)() as tf.Tensor4D, w as tf.Tensor4D, c.strides, 'same'), dy())))(seeded(c.filter, 19)());
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('webgpu', compute);
    expectClose(actual!, expected!);
  });

  it('hands NCHW to the stock kernel and keeps NHWC for itself', async () => {
    await tf.setBackend('webgpu');
    const calls: string[] = [];
    const sentinel = { dataId: {}, shape: [1], dtype: 'float32' } as tf.TensorInfo;
    const spy: KernelFunc = (args) => {
      calls.push((args.attrs as { dataFormat: string }).dataFormat);
      return sentinel;
    };
    const kernel = webgpuConv2DBackpropFilter(spy);
    const c = cases[0]!;
    const backend = tf.backend();
    const [xNchw, dyNchw] = [tf.zeros([2, 3, 9, 7]), tf.zeros([2, 5, 9, 7])];
    expect(kernel({ inputs: { x: xNchw, dy: dyNchw }, backend, attrs: attrsOf(c, 'NCHW') })).toBe(sentinel);
    expect(calls).toEqual(['NCHW']);
    const [x, dy] = [tf.zeros(c.x), tf.zeros(convOutputShape(c))];
    const own = kernel({ inputs: { x, dy }, backend, attrs: attrsOf(c) }) as tf.TensorInfo;
    expect(own.shape).toEqual(c.filter);
    expect(calls).toEqual(['NCHW']);
    backend.disposeData(own.dataId);
    tf.dispose([xNchw, dyNchw, x, dy]);
  });
});
