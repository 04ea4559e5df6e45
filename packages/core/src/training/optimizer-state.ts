import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from '../jobs/job-spec.ts';

/** Creates the spec's optimizer with Keras defaults (Adam β1 0.9, β2 0.999; RMSProp ρ 0.9; ε = backend epsilon). */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

interface OptimizerHeader {
  format: 'tessera-optimizer-v1';
  optimizer: OptimizerName;
  specs: tf.io.WeightsManifestEntry[];
  /** Adam's running β powers: `setWeights` recomputes them with pow(), which differs from the running product in
   * the last bits, and resuming must be bit-identical. */
  adamBetaPowers?: [number, number];
}

// Adam keeps these private; they are part of its state all the same (see OptimizerHeader.adamBetaPowers).
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

const magic = [0x54, 0x53, 0x4f, 0x50]; // "TSOP"

/**
 * Serialises an optimizer's slots (`getWeights()`: iteration count, moments) into one self-describing blob:
 * "TSOP", u32 LE header length, JSON header (optimizer, weight specs), then the raw little-endian weight data.
 * Written as `optimizer.bin` next to a checkpoint's weights.
 */
export async function encodeOptimizerState(optimizer: tf.Optimizer, name: OptimizerName): Promise<Uint8Array> {
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  // getWeights() creates the `iter` scalar afresh; the other entries are the optimizer's own live variables.
  tf.dispose(named.filter((entry) => entry.name === 'iter').map((entry) => entry.tensor));
  const header: OptimizerHeader = { format: 'tessera-optimizer-v1', optimizer: name, specs };
  if (name === 'adam') {
    const adam = optimizer as unknown as AdamInternals;
    header.adamBetaPowers = [(await adam.accBeta1.data())[0] ?? 0, (await adam.accBeta2.data())[0] ?? 0];
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const weightBytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
  const out = new Uint8Array(8 + headerBytes.length + weightBytes.length);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(weightBytes, 8 + headerBytes.length);
  return out;
}

/**
 * Rebuilds an optimizer from {@link encodeOptimizerState}'s blob. Throws when the blob is not one, or when it was
 * written by a different optimizer than `name` (a spec changed under a checkpoint).
 */
export async function decodeOptimizerState(
  bytes: Uint8Array,
  name: OptimizerName,
  learningRate: number,
): Promise<tf.Optimizer> {
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new Error('optimizer state is not a tessera optimizer blob (bad magic)');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as OptimizerHeader;
  if (header.format !== 'tessera-optimizer-v1') {
    throw new Error(`unsupported optimizer state format ${String(header.format)}`);
  }
  if (header.optimizer !== name) {
    throw new Error(`optimizer state was written by ${header.optimizer}, but the spec asks for ${name}`);
  }
  const weightBytes = bytes.slice(8 + headerLength);
  const tensors = tf.io.decodeWeights(weightBytes.buffer, header.specs);
  const named = header.specs.map((spec) => {
    const tensor = tensors[spec.name];
    if (tensor === undefined) {
      throw new Error(`optimizer state lacks ${spec.name}`);
    }
    return { name: spec.name, tensor };
  });
  const optimizer = createOptimizer(name, learningRate);
  await optimizer.setWeights(named);
  // setWeights wraps each tensor in a new variable (sharing its data); the decoded handles are ours to release.
  tf.dispose(Object.values(tensors));
  if (name === 'adam' && header.adamBetaPowers !== undefined) {
    const adam = optimizer as unknown as AdamInternals;
    const [beta1Power, beta2Power] = header.adamBetaPowers;
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(beta1Power));
      adam.accBeta2.assign(tf.scalar(beta2Power));
    });
  }
  return optimizer;
}
