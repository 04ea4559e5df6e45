import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** How far one backend's training gradients are from another's on the same small model and batch. */
export interface GradientCheck {
  /** Largest |candidate - reference| over all tensors, each divided by max(1, the reference tensor's largest |value|). */
  readonly worstRelativeError: number;
  /** Loss + one gradient per weight. */
  readonly tensors: number;
  /** Whether every reference gradient has a non-zero value (a check on zeros would prove nothing). */
  readonly referenceNonZero: boolean;
}

/**
 * A small VGG-shaped model: conv-relu x2, 2x2 max pool, conv, pool, dense relu, dense softmax: every kernel a VGG step
 * needs.
 */
function smallVgg(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [12, 10, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.conv2d({ filters: 7, kernelSize: 3, padding: 'valid', activation: 'relu', kernelInitializer: init(3) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 9, activation: 'relu', kernelInitializer: init(4) }));
  m.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(5) }));
  return m;
}

/** The loss and every weight's gradient for one fixed batch, computed on `backend` (which becomes current). */
async function gradientsOn(backend: string): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const m = smallVgg();
  // Biases start at zero: give them values, so their gradients' sums are checked on something.
  m.trainableWeights.filter((w) => w.name.includes('bias')).forEach((w, i) => w.write(tf.fill(w.shape as number[], 0.01 * (i + 1))));
  const x = tf.tidy(() => tf.sin(tf.mul(tf.reshape(tf.range(0, 3 * 12 * 10 * 3), [3, 12, 10, 3]), 0.37)));
  const y = tf.oneHot(tf.tensor1d([0, 2, 3], 'int32'), 4);
  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.mean(tfl.metrics.categoricalCrossentropy(y, m.apply(x) as tf.Tensor)), variables);
  const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const out = [await read(value), ...(await Promise.all(variables.map((v) => read(grads[v.name]!))))];
  tf.dispose([x, y, value, ...Object.values(grads)]);
  m.dispose();
  return out;
}

/**
 * Trains nothing: computes a small VGG's loss and gradients on `reference` and on `candidate` (each set current in
 * turn) and compares them. Used by the tests (webgpu on SwiftShader against cpu) and by `pnpm bench:gpu`, which
 * checks Tessera's kernels on the real GPU before timing them.
 */
export async function compareTrainingGradients(reference: string, candidate: string): Promise<GradientCheck> {
  const expected = await gradientsOn(reference);
  const actual = await gradientsOn(candidate);
  if (actual.length !== expected.length) throw new Error(`${candidate} gave ${actual.length} tensors, ${reference} ${expected.length}`);
  let worstRelativeError = 0;
  actual.forEach((values, i) => {
    const want = expected[i]!;
    if (values.length !== want.length) throw new Error(`tensor ${i}: ${values.length} values on ${candidate}, ${want.length} on ${reference}`);
    const scale = Math.max(1, ...want.map(Math.abs));
    for (let j = 0; j < values.length; j++) {
      const error = Math.abs(values[j]! - want[j]!) / scale;
      // NaN anywhere is the worst error there is.
      worstRelativeError = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(worstRelativeError, error);
    }
  });
  return { worstRelativeError, tensors: actual.length, referenceNonZero: expected.every((t) => t.some((v) => v !== 0)) };
}
