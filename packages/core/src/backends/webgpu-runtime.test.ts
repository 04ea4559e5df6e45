import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { describeAdapter, startTestWebgpu } from './webgpu-runtime.ts';

describe('WebGPU in Node on this machine', () => {
  it('starts the tfjs webgpu backend and computes a matmul that matches the cpu backend', async () => {
    const { adapter } = await startTestWebgpu();
    expect(adapter.length).toBeGreaterThan(0);
    const a = tf.tidy(() => tf.randomUniform([33, 17], -1, 1, 'float32', 7));
    const b = tf.tidy(() => tf.randomUniform([17, 9], -1, 1, 'float32', 8));
    const [av, bv] = [await a.data(), await b.data()];
    tf.dispose([a, b]);
    const onBackend = async (name: string) => {
      await tf.setBackend(name);
      return tf.tidy(() => tf.matMul(tf.tensor2d(av, [33, 17]), tf.tensor2d(bv, [17, 9]))).data();
    };
    const gpu = await onBackend('webgpu');
    const cpu = await onBackend('cpu');
    expect(gpu.length).toBe(cpu.length);
    gpu.forEach((v, i) => expect(v).toBeCloseTo(cpu[i]!, 4));
  });
});

describe('describeAdapter', () => {
  it('names software adapters as such', () => {
    expect(describeAdapter({}, { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' })).toEqual({
      name: 'SwiftShader driver 5.0.0',
      software: true,
    });
    expect(describeAdapter({ isFallbackAdapter: true }, { vendor: 'x' }).software).toBe(true);
    expect(describeAdapter({}, { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toEqual({
      name: 'NVIDIA H100 80GB HBM3',
      software: false,
    });
    expect(describeAdapter({}, {}).name).toBe('unknown adapter');
  });
});
