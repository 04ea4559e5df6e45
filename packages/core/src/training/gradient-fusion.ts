import * as tf from '@tensorflow/tfjs-core';

/**
 * Packs the gradients of a fixed, ordered list of variables into ONE Float32Array (a fusion buffer) so a step costs
 * one all-reduce instead of one per variable, and unpacks the reduced buffer again. The buffer carries one extra
 * trailing element for the local loss, so every rank learns the global batch loss from the same collective.
 * Every replica must build its fusion from the same variable order (the model's `trainableWeights`).
 */
export class GradientFusion {
  readonly variables: readonly tf.Variable[];
  private readonly offsets: readonly number[];
  /** Parameter count; the buffer length is this + 1 (the loss). */
  readonly parameterCount: number;

  constructor(variables: readonly tf.Variable[]) {
    this.variables = variables;
    const offsets: number[] = [];
    let total = 0;
    for (const variable of variables) {
      offsets.push(total);
      total += variable.size;
    }
    this.offsets = offsets;
    this.parameterCount = total;
  }

  get bufferLength(): number {
    return this.parameterCount + 1;
  }

  /** A buffer of zeros: the contribution of a rank with no rows in this step. */
  zeros(): Float32Array {
    return new Float32Array(this.bufferLength);
  }

  /** Where variable `index`'s gradient starts in the buffer. */
  offsetOf(index: number): number {
    return this.offsets[index] ?? 0;
  }

  /**
   * Copies `grads` (keyed by variable name; a missing one counts as 0) and the local loss into a new buffer. All reads
   * are started together: on a GPU they complete in one wait for the queue, not one per variable plus one for the loss.
   * (Packing them into one tensor on the GPU first costs a concat pass that tfjs' webgpu backend runs slowly.)
   */
  async flatten(grads: tf.NamedTensorMap, loss: tf.Scalar): Promise<Float32Array> {
    const flat = this.zeros();
    const reads = this.variables.map(async (variable, i) => {
      const grad = grads[variable.name];
      if (grad !== undefined) flat.set(await grad.data(), this.offsets[i] ?? 0);
    });
    const [lossValue] = await Promise.all([loss.data(), ...reads]);
    flat[this.parameterCount] = lossValue[0] ?? Number.NaN;
    return flat;
  }

  /**
   * Views a reduced buffer as gradients keyed by variable name, in variable order (optimizers keep their slots by
   * position, so the order must never change). The caller disposes the returned tensors.
   */
  unflatten(flat: Float32Array): tf.NamedTensorMap {
    if (flat.length !== this.bufferLength) {
      throw new RangeError(`fusion buffer has ${flat.length} elements, expected ${this.bufferLength}`);
    }
    const grads: tf.NamedTensorMap = {};
    this.variables.forEach((variable, i) => {
      const offset = this.offsets[i] ?? 0;
      grads[variable.name] = tf.tensor(flat.subarray(offset, offset + variable.size), variable.shape, 'float32');
    });
    return grads;
  }

  /** The loss element of a (reduced) buffer. */
  loss(flat: Float32Array): number {
    return flat[this.parameterCount] ?? Number.NaN;
  }
}
