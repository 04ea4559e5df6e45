import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { SeededRandom } from '../random/seeded-random.ts';

/**
 * Dropout under our control. tfjs' own Dropout draws from Math.random (or a fixed seed that repeats every step),
 * which would break reproducibility and n-worker = 1-worker equivalence; so masks are drawn for the whole GLOBAL
 * batch from one seeded stream on every rank, and each rank applies the rows of its share.
 */

export interface DropoutMask {
  /** Row-major keep-mask, rows x width, scaled by 1/(1-rate) as Keras does. */
  readonly values: Float32Array;
  /** Elements per row: the product of the preceding layer's output shape (batch excluded). */
  readonly width: number;
  /** Output shape of the preceding layer without the batch dimension. */
  readonly shape: readonly number[];
}

export function isDropout(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === 'Dropout';
}

function isInput(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

function dropoutRate(layer: tfl.layers.Layer): number {
  const rate = layer.getConfig()['rate'];
  return typeof rate === 'number' ? rate : 0;
}

function outputShape(layer: tfl.layers.Layer): number[] {
  const shape = layer.outputShape;
  const dims = Array.isArray(shape[0]) ? undefined : (shape as (number | null)[]).slice(1);
  if (dims === undefined || dims.some((d) => typeof d !== 'number')) {
    throw new Error(`layer ${layer.name} has no fixed output shape`);
  }
  return dims as number[];
}

/**
 * One keep-mask per Dropout layer of a layer chain, for `rows` rows, drawn from `random` in layer order.
 * `inputShape` is the model's input without the batch dimension.
 */
export function drawDropoutMasks(model: tfl.LayersModel, rows: number, random: SeededRandom, inputShape: readonly number[]): DropoutMask[] {
  const masks: DropoutMask[] = [];
  let shape: readonly number[] = inputShape;
  for (const layer of model.layers) {
    if (isDropout(layer)) {
      const keep = 1 - dropoutRate(layer);
      const width = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(rows * width);
      for (let i = 0; i < values.length; i += 1) {
        values[i] = random.next() < keep ? 1 / keep : 0;
      }
      masks.push({ values, width, shape });
    } else if (!isInput(layer)) {
      shape = outputShape(layer);
    }
  }
  return masks;
}

/** Rows `[lo, hi)` of each mask as tensors shaped like the layer output (call inside `tf.tidy`). */
export function maskRows(masks: readonly DropoutMask[], lo: number, hi: number): tf.Tensor[] {
  return masks.map((m) => tf.tensor(m.values.subarray(lo * m.width, hi * m.width), [hi - lo, ...m.shape]));
}

/**
 * The forward pass of a layer chain (Sequential, or a functional model whose layers form one chain), layer by layer,
 * with our dropout masks (null = inference, dropout off). `layers` runs only `model.layers[from, to)`: the base of a
 * classifier (bottleneck features) or its top on cached features; `masks` are still the whole model's, in order.
 */
export function maskedForward<T extends tf.Tensor>(
  model: tfl.LayersModel,
  x: tf.Tensor,
  masks: readonly tf.Tensor[] | null,
  layers: { readonly from?: number; readonly to?: number } = {},
): T {
  const from = layers.from ?? 0;
  let h = x;
  let maskIndex = model.layers.slice(0, from).filter(isDropout).length;
  for (const layer of model.layers.slice(from, layers.to)) {
    if (isInput(layer)) continue;
    if (isDropout(layer)) {
      const mask = masks?.[maskIndex];
      maskIndex += 1;
      if (mask !== undefined) h = tf.mul(h, mask);
    } else {
      // Training mode when masks are given and the layer trains: batch normalisation then uses (and updates) batch
      // statistics; a frozen one runs in inference mode on its moving statistics, as in Keras 2.1.3 and later.
      h = layer.apply(h, { training: masks !== null && layer.trainable }) as tf.Tensor;
    }
  }
  return h as T;
}
