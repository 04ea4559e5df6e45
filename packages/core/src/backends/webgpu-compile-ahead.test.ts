import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, onBackend, seeded } from '../testing/kernel-comparison.ts';
import { buildUNet2d } from '../models/unet2d.ts';
import { compileWebgpuAhead } from './webgpu-compile-ahead.ts';
import { startTestWebgpu } from './webgpu-runtime.ts';

describe('compileWebgpuAhead', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    const kernels = await import('./webgpu-training-kernels.ts');
    kernels.registerWebgpuTrainingKernels();
  }, 60_000);

  // A conv and a dense layer's gradients, at shapes no other test in this file uses (so their shaders are new).
  const x = seeded([2, 7, 5, 3], 1);
  const w = seeded([3, 3, 3, 6], 2);
  const d = seeded([7 * 5 * 6, 9], 3);
  const step = () =>
    tf.grads((wt: tf.Tensor, dt: tf.Tensor) => tf.sum(tf.relu(tf.matMul(tf.reshape(tf.conv2d(x() as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same'), [2, -1]), dt))))([w(), d()]);

  it('compiles a computation without running it, after which it runs on those pipelines and matches cpu', async () => {
    const expected = await onBackend('cpu', step);
    await tf.setBackend('webgpu');
    const compiled = await compileWebgpuAhead(step);
    expect(compiled).toBeGreaterThan(0);
    // Everything it needs is compiled: a second pass finds nothing new.
    expect(await compileWebgpuAhead(step)).toBe(0);
    const actual = await onBackend('webgpu', step);
    expect(actual).toHaveLength(2);
    actual.forEach((values, i) => expectClose(values, expected[i]!));
  });

  it("compiles a U-Net's forward pass (a segmentation prediction) ahead, after which it matches cpu", async () => {
    // Equal seeds give equal weights on each backend; transposed convolutions (stride-2 input gradients) included.
    const predictOn = async (backend: string, ahead: boolean): Promise<{ compiled: number; values: Float32Array }> => {
      await tf.setBackend(backend);
      const model = buildUNet2d({ inputShape: [16, 16, 1], depth: 2, baseFilters: 4, seed: 5 });
      const forward = () => model.predict(seeded([2, 16, 16, 1], 6)()) as tf.Tensor;
      const compiled = ahead ? await compileWebgpuAhead(forward) : 0;
      const [values] = await onBackend(backend, forward);
      model.dispose();
      return { compiled, values: values! };
    };
    const expected = await predictOn('cpu', false);
    const actual = await predictOn('webgpu', true);
    expect(actual.compiled).toBeGreaterThan(0);
    expectClose(actual.values, expected.values);
  });

  it('leaves no tensors behind and compile-only mode off', async () => {
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    await compileWebgpuAhead(() => tf.matMul(seeded([3, 11], 4)(), seeded([11, 13], 5)()));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.env().getBool('WEBGPU_ENGINE_COMPILE_ONLY')).toBe(false);
  });

  it('does nothing on another backend', async () => {
    await tf.setBackend('cpu');
    let ran = false;
    expect(
      await compileWebgpuAhead(() => {
        ran = true;
        return tf.scalar(1);
      }),
    ).toBe(0);
    expect(ran).toBe(false);
  });
});
