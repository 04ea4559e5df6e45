import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AllReduceSum } from './synchronous-update.ts';

/**
 * Batch normalisation's moving mean and variance are updated by each rank from its own share of the batch, so the
 * replicas drift apart in them (only there: the trained weights get the same all-reduced update). At every epoch
 * end, before evaluating and checkpointing, the trainers replace them by the average over ranks (one all-reduce of
 * all of them), so every rank evaluates and checkpoints the same model. Every rank must call it together; a model
 * without batch normalisation (or a world of one) costs nothing.
 */
export async function averageBatchNormStatistics(model: tfl.LayersModel, worldSize: number, allReduceSum: AllReduceSum): Promise<void> {
  if (worldSize === 1) return;
  const moving = model.weights.filter((w) => /moving_(mean|variance)/.test(w.originalName));
  if (moving.length === 0) return;
  const values = await Promise.all(moving.map(async (w) => (await w.read().data()) as Float32Array));
  const flat = new Float32Array(values.reduce((n, v) => n + v.length, 0));
  let offset = 0;
  for (const v of values) {
    flat.set(v, offset);
    offset += v.length;
  }
  const summed = await allReduceSum(flat);
  offset = 0;
  for (const [i, w] of moving.entries()) {
    const size = values[i]!.length;
    const average = summed.subarray(offset, offset + size).map((v) => v / worldSize);
    tf.tidy(() => {
      w.write(tf.tensor(average, w.read().shape));
    });
    offset += size;
  }
}
