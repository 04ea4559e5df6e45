import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerName } from '../jobs/job-spec.ts';
import { applyFusedUpdate, fromFlatBuffer, fusedUpdateSupported } from '../training/fused-update.ts';
import { createOptimizer } from '../training/optimizer-state.ts';
import { startTestWebgpu } from './webgpu-runtime.ts';

// Sizes and offsets that are multiples of 4 first (the kernels' vec4 path: 72 at 0, 8 at 72, 70,000 at 80), then odd
// shapes, a scalar and a large odd one at unaligned offsets (the scalar path); the large ones need many workgroups.
const shapes: number[][] = [[2, 3, 3, 4], [8], [16, 4375], [3, 5], [7], [], [70_001]];
const steps = 3;

function seeded(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

interface Run {
  weights: Float32Array[];
  slots: Array<{ name: string; values: Float32Array }>;
  iterations: number;
}

/** `steps` updates of fresh variables with the same seeded values and gradients; `fused` goes through the kernels. */
async function run(backend: string, optimizerName: OptimizerName, fused: boolean, tag: string): Promise<Run> {
  await tf.setBackend(backend);
  const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  const variables = shapes.map((shape, i) => tf.variable(tf.tensor(seeded(sizes[i]!, 10 + i), shape), true, `${tag}_w${i}`));
  const optimizer = createOptimizer(optimizerName, 0.05);
  for (let step = 0; step < steps; step++) {
    const grads = sizes.map((size, i) => seeded(size, 100 * (step + 1) + i));
    if (fused) {
      const flat = tf.tensor1d(Float32Array.from(grads.flatMap((g) => [...g])));
      applyFusedUpdate(optimizer, optimizerName, variables, fromFlatBuffer(flat, { offsetOf: (i) => offsets[i]! }));
      flat.dispose();
    } else {
      const named: tf.NamedTensorMap = {};
      variables.forEach((v, i) => (named[v.name] = tf.tensor(grads[i]!, shapes[i])));
      optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
    }
  }
  const weights = await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
  const named = await optimizer.getWeights();
  const slots = await Promise.all(
    named.map(async ({ name, tensor }) => ({ name: name.replace(`${tag}_`, ''), values: (await tensor.data()) as Float32Array })),
  );
  const iterations = optimizer.iterations;
  tf.dispose([...variables, ...named.map((n) => n.tensor)]);
  optimizer.dispose();
  return { weights, slots, iterations };
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(1e-4);
}

describe('fused optimizer update kernels (webgpu) against tfjs optimizers on the cpu backend', () => {
  beforeAll(async () => {
    await startTestWebgpu();
    // Imported after WebGPU is up: tfjs-backend-webgpu looks for navigator.gpu when first imported.
    const { registerWebgpuTrainingKernels } = await import('./webgpu-training-kernels.ts');
    registerWebgpuTrainingKernels();
  });

  it.each(['sgd', 'adam'] as const)('%s: same weights, slots and iteration count after three steps', async (name) => {
    const reference = await run('cpu', name, false, `cpu_${name}`);
    const fused = await run('webgpu', name, true, `gpu_${name}`);
    fused.weights.forEach((w, i) => expectClose(w, reference.weights[i]!));
    expect(fused.slots.map((s) => s.name)).toEqual(reference.slots.map((s) => s.name));
    fused.slots.forEach((slot, i) => expectClose(slot.values, reference.slots[i]!.values));
    expect(fused.iterations).toBe(steps);
    expect(reference.iterations).toBe(steps);
  });

  it('continues a state the stock optimizer started (the slots are the same variables)', async () => {
    await tf.setBackend('webgpu');
    const w = tf.variable(tf.tensor1d(seeded(9, 1)), true, 'mixed_w');
    const reference = tf.variable(tf.tensor1d(seeded(9, 1)), true, 'mixed_ref');
    const [a, b] = [createOptimizer('adam', 0.1), createOptimizer('adam', 0.1)];
    const g1 = tf.tensor1d(seeded(9, 2));
    const g2 = tf.tensor1d(seeded(9, 3));
    a.applyGradients({ mixed_w: g1 });
    // Its own gradient tensor (offset 0), as a single worker's step hands it over without a buffer.
    applyFusedUpdate(a, 'adam', [w], () => ({ tensor: g2, offset: 0 }));
    b.applyGradients({ mixed_ref: g1 });
    b.applyGradients({ mixed_ref: g2 });
    expectClose((await w.data()) as Float32Array, (await reference.data()) as Float32Array);
    tf.dispose([w, reference, g1, g2]);
    a.dispose();
    b.dispose();
  });

  it('is used only where its kernels exist, and refuses a slice outside the buffer', async () => {
    await tf.setBackend('webgpu');
    expect(fusedUpdateSupported('sgd')).toBe(true);
    expect(fusedUpdateSupported('adam')).toBe(true);
    expect(fusedUpdateSupported('rmsprop')).toBe(false);
    const w = tf.variable(tf.zeros([4]), true, 'outside_w');
    const flat = tf.zeros([3]);
    const sgd = createOptimizer('sgd', 0.1);
    expect(() => applyFusedUpdate(sgd, 'sgd', [w], () => ({ tensor: flat, offset: 0 }))).toThrow(
      /TesseraSgdUpdate: gradient slice \[0, 4\) lies outside the 3-element buffer/,
    );
    tf.dispose([w, flat]);
    await tf.setBackend('cpu');
    expect(fusedUpdateSupported('sgd')).toBe(false);
  });
});
