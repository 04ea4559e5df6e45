import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WasmHeapBackend } from './wasm-kernel-calls.ts';
import { mergedAxes, tiledTranspose, transposeOnHeap } from './wasm-transpose.ts';
import { bitsOn, distinctTensor } from '../testing/kernel-comparison.ts';

const permutations: Array<{ shape: number[]; perm: number[] }> = [
  { shape: [7, 5], perm: [1, 0] },
  { shape: [70, 130], perm: [1, 0] }, // several 64x64 tiles, ragged edges
  { shape: [3, 9, 5], perm: [0, 2, 1] },
  { shape: [4, 6, 5, 3], perm: [3, 1, 2, 0] }, // a filter gradient's input: [B, H, W, C] to [C, H, W, B]
  { shape: [4, 6, 5, 3], perm: [1, 2, 0, 3] }, // the last axis stays: whole runs copied
  { shape: [2, 3, 4, 5, 6], perm: [4, 0, 3, 1, 2] },
  { shape: [1, 6, 1, 7], perm: [3, 2, 1, 0] }, // axes of length 1 dropped
  { shape: [5, 1], perm: [1, 0] }, // nothing moves in memory
  { shape: [6], perm: [0] },
  { shape: [], perm: [] },
  { shape: [0, 4], perm: [1, 0] },
];

describe('wasm Transpose in tiles', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it.each([
    { shape: [4, 64, 64, 64], perm: [3, 1, 2, 0], merged: { shape: [4, 4096, 64], perm: [2, 1, 0] } },
    { shape: [4, 64, 64, 64], perm: [1, 2, 0, 3], merged: { shape: [4, 4096, 64], perm: [1, 0, 2] } },
    { shape: [3, 3, 512, 512], perm: [0, 1, 3, 2], merged: { shape: [9, 512, 512], perm: [0, 2, 1] } },
    { shape: [2, 1, 3, 1, 4], perm: [4, 3, 0, 1, 2], merged: { shape: [6, 4], perm: [1, 0] } },
    { shape: [2, 3, 4], perm: [0, 1, 2], merged: { shape: [24], perm: [0] } },
    { shape: [1, 1], perm: [1, 0], merged: { shape: [], perm: [] } },
  ])('merges $shape by $perm into $merged.shape by $merged.perm', ({ shape, perm, merged }) => {
    expect(mergedAxes(shape, perm)).toEqual(merged);
  });

  it.each(permutations.flatMap((p) => (['float32', 'int32'] as const).map((dtype) => ({ ...p, dtype }))))(
    'transposeOnHeap gives the cpu backend bits: $dtype $shape by $perm',
    async ({ shape, perm, dtype }) => {
      const [expected] = await bitsOn('cpu', () => tf.transpose(distinctTensor(shape, dtype), perm));
      const [actual] = await bitsOn('wasm', () => {
        const x = distinctTensor(shape, dtype);
        const out = transposeOnHeap(tf.backend() as unknown as WasmHeapBackend, { dataId: x.dataId, shape: x.shape, dtype: x.dtype }, perm);
        x.dispose();
        return tf.engine().makeTensorFromTensorInfo(out);
      });
      expect(actual).toEqual(expected);
    },
  );

  it.each([
    { name: 'a big matrix (tiles)', shape: [130, 140], perm: [1, 0], dtype: 'float32', stockCalls: 0 },
    { name: 'a filter gradient input (tiles)', shape: [4, 16, 16, 32], perm: [3, 1, 2, 0], dtype: 'int32', stockCalls: 0 },
    { name: 'the last axis kept in place (the package copies runs)', shape: [4, 16, 16, 32], perm: [1, 2, 0, 3], dtype: 'float32', stockCalls: 1 },
    { name: 'a small matrix (the package)', shape: [60, 70], perm: [1, 0], dtype: 'float32', stockCalls: 1 },
    { name: 'bool (the package)', shape: [130, 140], perm: [1, 0], dtype: 'bool', stockCalls: 1 },
  ])('the kernel takes $name', async ({ shape, perm, dtype, stockCalls }) => {
    const make = () => {
      const x = distinctTensor(shape, 'int32');
      return dtype === 'int32' ? x : dtype === 'bool' ? tf.greater(x, 0) : tf.cast(x, 'float32');
    };
    const [expected] = await bitsOn('cpu', () => tf.transpose(make(), perm));
    expect(new Set(expected).size).toBeGreaterThan(dtype === 'bool' ? 1 : 1000);
    await tf.setBackend('wasm');
    const stock = tf.getKernel('Transpose', 'wasm').kernelFunc;
    let calls = 0;
    const counted: KernelFunc = (args) => {
      calls++;
      return stock(args);
    };
    const kernelName = `TesseraTiledTranspose${shape.join('x')}${perm.join('')}${dtype}`;
    const kernel = tiledTranspose(counted);
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernel });
    try {
      const [actual] = await bitsOn('wasm', () => {
        const x = make();
        const out = tf.engine().runKernel<tf.Tensor>(kernelName, { x }, { perm });
        x.dispose();
        return out;
      });
      expect(actual).toEqual(expected);
    } finally {
      tf.unregisterKernel(kernelName, 'wasm');
    }
    expect(calls).toBe(stockCalls);
  });

  it('names the mismatch when perm does not fit the rank', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 3]);
    const info: TensorInfo = { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    expect(() => transposeOnHeap(tf.backend() as unknown as WasmHeapBackend, info, [0, 1, 2])).toThrow(/perm \[0, 1, 2\] does not match the rank of shape \[2, 3\]/);
    x.dispose();
  });
});
