import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './wasm-training-kernels.ts';
import { expectClose, onBackend, seeded } from '../testing/kernel-comparison.ts';

type Shape5 = [number, number, number, number, number];
type Triple = [number, number, number];

interface ConvCase {
  name: string;
  x: Shape5;
  filter: Shape5;
  strides: Triple | number;
  pad: 'valid' | 'same';
  dilations?: Triple;
}

// Odd, non-cubic shapes and channel counts that are not multiples of 4, so every edge of the slabs is exercised.
const convCases: ConvCase[] = [
  { name: '3x3x3 same stride 1', x: [2, 5, 6, 4, 3], filter: [3, 3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3x3 same stride 2 (depth padding on both sides)', x: [1, 7, 6, 5, 2], filter: [3, 3, 3, 2, 3], strides: 2, pad: 'same' },
  { name: '2x3x2 valid strides 2x1x2', x: [2, 6, 5, 6, 3], filter: [2, 3, 2, 3, 2], strides: [2, 1, 2], pad: 'valid' },
  { name: '2x2x2 same stride 1 (padding after only)', x: [1, 5, 4, 5, 2], filter: [2, 2, 2, 2, 3], strides: 1, pad: 'same' },
  { name: '1x1x1 valid', x: [2, 3, 4, 5, 6], filter: [1, 1, 1, 6, 2], strides: 1, pad: 'valid' },
  { name: 'one depth slice, 1x3x3 same', x: [3, 1, 5, 5, 2], filter: [1, 3, 3, 2, 2], strides: 1, pad: 'same' },
  { name: 'depth filter as deep as x, valid', x: [2, 4, 5, 3, 2], filter: [4, 2, 2, 2, 3], strides: 1, pad: 'valid' },
];

const dilatedCases: ConvCase[] = [
  { name: '3x2x3 dilated 2x1x2, same', x: [1, 7, 6, 7, 2], filter: [3, 2, 3, 2, 3], strides: 1, pad: 'same', dilations: [2, 1, 2] },
  { name: '2x2x2 dilated 3 in depth, valid', x: [2, 6, 4, 4, 3], filter: [2, 2, 2, 3, 2], strides: 1, pad: 'valid', dilations: [3, 1, 1] },
];

function outputShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv3DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad);
  return info.outShape;
}

interface PoolCase {
  name: string;
  x: Shape5;
  filter: Triple | number;
  strides: Triple | number;
  pad: 'valid' | 'same';
  low?: number;
  high?: number;
}

const poolCases: PoolCase[] = [
  { name: '2x2x2/2 valid (a U-Net pooling)', x: [2, 6, 4, 6, 3], filter: 2, strides: 2, pad: 'valid' },
  { name: '2x2x2/2 valid, odd sides drop a slice, a row and a column', x: [1, 5, 7, 5, 2], filter: 2, strides: 2, pad: 'valid' },
  { name: '3x3x3/2 same: overlapping, padded windows', x: [2, 5, 6, 7, 2], filter: 3, strides: 2, pad: 'same' },
  { name: '2x2x2/2 same on odd sides: padded after', x: [1, 5, 5, 3, 4], filter: 2, strides: 2, pad: 'same' },
  { name: '3x2x2 strides 1x2x2 valid', x: [2, 6, 4, 4, 3], filter: [3, 2, 2], strides: [1, 2, 2], pad: 'valid' },
  // The package's kernels start the maximum at 1.18e-38: windows of values ≤ 0 came out wrong.
  { name: 'all values negative', x: [1, 4, 4, 4, 3], filter: 2, strides: 2, pad: 'valid', low: -2, high: -1 },
  { name: 'all values negative, 3x3x3/2 same', x: [1, 5, 5, 5, 2], filter: 3, strides: 2, pad: 'same', low: -2, high: -1 },
];

function poolInput(c: PoolCase, seed: number): () => tf.Tensor5D {
  return () => tf.randomUniform<tf.Rank.R5>(c.x, c.low ?? -1, c.high ?? 1, 'float32', seed);
}

describe('3-D convolutions and max pooling on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it.each([...convCases, ...dilatedCases])('Conv3D matches cpu: $name', async (c) => {
    const compute = () => tf.conv3d(seeded(c.x, 3)() as tf.Tensor5D, seeded(c.filter, 5)() as tf.Tensor5D, c.strides, c.pad, 'NDHWC', c.dilations ?? 1);
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(expected!.length).toBe(tf.util.sizeFromShape(outputShape(c)));
    expectClose(actual!, expected!);
  });

  it.each(convCases)('Conv3DBackpropFilterV2 matches cpu: $name', async (c) => {
    const compute = () =>
      tf.engine().runKernel<tf.Tensor>('Conv3DBackpropFilterV2', { x: seeded(c.x, 7)(), dy: seeded(outputShape(c), 11)() }, {
        strides: c.strides,
        pad: c.pad,
        filterShape: c.filter,
      });
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(expected!.length).toBe(tf.util.sizeFromShape(c.filter));
    expectClose(actual!, expected!);
  });

  it('Conv3D rejects what it does not compute, naming it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 2, 2, 1], 'int32');
    const filter = tf.zeros([1, 1, 1, 1, 1], 'int32');
    expect(() => tf.engine().runKernel('Conv3D', { x, filter }, { strides: 1, pad: 'valid', dataFormat: 'NDHWC', dilations: 1 })).toThrow(
      /wasm Conv3D supports only float32, got int32/,
    );
    tf.dispose([x, filter]);
  });

  it.each(poolCases)('MaxPool3D matches cpu: $name', async (c) => {
    const compute = () => tf.maxPool3d(poolInput(c, 13)(), c.filter, c.strides, c.pad);
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(Array.from(actual!)).toEqual(Array.from(expected!));
  });

  it.each(poolCases)('MaxPool3DGrad matches cpu: $name', async (c) => {
    const compute = () => {
      const x = poolInput(c, 17)();
      const dyShape = tf.backend_util.computePool3DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
      const dy = tf.randomUniform(dyShape, 0.5, 1.5, 'float32', 19);
      return tf.engine().runKernel<tf.Tensor>('MaxPool3DGrad', { dy, input: x, output: tf.maxPool3d(x, c.filter, c.strides, c.pad) }, {
        filterSize: c.filter,
        strides: c.strides,
        pad: c.pad,
      });
    };
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expectClose(actual!, expected!);
    // Every window sends its dy somewhere: the gradient is not all zeros.
    expect(actual!.some((v) => v !== 0)).toBe(true);
  });

  it('MaxPool3DGrad sends a tied window\'s gradient to its last maximum, as cpu does', async () => {
    const compute = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid'), tf.reshape(tf.range(1, 9), [1, 2, 2, 2, 1]))))(tf.zeros([1, 4, 4, 4, 1]));
    const [expected] = await onBackend('cpu', compute);
    const [actual] = await onBackend('wasm', compute);
    expect(Array.from(actual!)).toEqual(Array.from(expected!));
    expect(actual!.filter((v) => v !== 0)).toHaveLength(8);
  });

  it('gives the same gradients as cpu for a small 3D U-Net-style training step', async () => {
    // conv-relu, pool, conv-relu, 2x up-convolution (as models/up-conv-3d.ts computes it: tfjs registers no gradient
    // for conv3dTranspose), concatenation with the skip, conv, sigmoid.
    const step = () => {
      const x = tf.randomUniform<tf.Rank.R5>([2, 6, 8, 8, 1], 0, 1, 'float32', 1);
      const mask = tf.cast(tf.greater(tf.randomUniform([2, 6, 8, 8, 1], 0, 1, 'float32', 2), 0.6), 'float32');
      const params = [
        tf.randomNormal([3, 3, 3, 1, 4], 0, 0.5, 'float32', 3),
        tf.randomNormal([3, 3, 3, 4, 6], 0, 0.3, 'float32', 4),
        tf.randomNormal([6, 8 * 4], 0, 0.3, 'float32', 5),
        tf.randomNormal([3, 3, 3, 8, 1], 0, 0.3, 'float32', 6),
        tf.zeros([4]),
      ];
      const loss = (w1: tf.Tensor, w2: tf.Tensor, up: tf.Tensor, w3: tf.Tensor, b1: tf.Tensor) => {
        const skip = tf.relu(tf.add(tf.conv3d(x, w1 as tf.Tensor5D, 1, 'same'), b1)) as tf.Tensor5D;
        let h = tf.maxPool3d(skip, 2, 2, 'valid');
        h = tf.relu(tf.conv3d(h, w2 as tf.Tensor5D, 1, 'same'));
        const y = tf.matMul(tf.reshape(h, [2 * 3 * 4 * 4, 6]), up);
        const da = tf.transpose(tf.reshape(y, [2 * 3, 4 * 4, 2, 16]), [0, 2, 1, 3]);
        const hb = tf.transpose(tf.reshape(da, [2 * 3 * 2 * 4, 4, 2, 8]), [0, 2, 1, 3]);
        const joined = tf.concat([skip, tf.reshape(hb, [2, 6, 8, 8, 4])], 4);
        const p = tf.sigmoid(tf.conv3d(joined as tf.Tensor5D, w3 as tf.Tensor5D, 1, 'same'));
        return tf.losses.sigmoidCrossEntropy(mask, p);
      };
      return tf.grads((a, b, c, d, e) => loss(a, b, c, d, e))(params);
    };
    const expected = await onBackend('cpu', step);
    const actual = await onBackend('wasm', step);
    expect(actual).toHaveLength(5);
    for (let i = 0; i < expected.length; i++) {
      expectClose(actual[i]!, expected[i]!);
      expect(Math.max(...Array.from(expected[i]!, Math.abs)), `gradient ${i}`).toBeGreaterThan(1e-5);
    }
  });

  it('frees every intermediate: no more tensors on the backend after a 3-D step than before', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform<tf.Rank.R5>([2, 5, 6, 6, 2], -1, 1, 'float32', 1);
    const w = tf.randomUniform<tf.Rank.R5>([3, 3, 3, 2, 3], -1, 1, 'float32', 2);
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.maxPool3d(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 2, 'same'), 2, 1, 'same')))([x, w]));
    tf.dispose(step());
    const before = tf.engine().backend.numDataIds();
    tf.dispose(step());
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, w]);
  });
});
