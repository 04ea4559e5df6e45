import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { VolumeShape } from '../data/segmentation-shard-format.ts';
import { voxelCount } from '../data/segmentation-shard-format.ts';
import type { SegmentationSpec } from '../jobs/job-spec.ts';
import { predictSlidingWindow } from '../prediction/sliding-window.ts';
import { yieldToEventLoop } from '../time/yield-to-event-loop.ts';
import { assembleBatch, writeTarget } from './segmentation-batches.ts';
import type { PreparedCase } from './segmentation-batches.ts';
import { bceDiceLossSum, diceLossSum, maskScoreSums } from './segmentation-loss.ts';

/** A segmentation job's loss as a per-image SUM (divide by the global batch), from the spec's `loss`. */
export function segmentationLossSum(loss: SegmentationSpec['loss']): (probabilities: tf.Tensor, masks: tf.Tensor) => tf.Scalar {
  switch (loss.kind) {
    case 'bce-dice':
      return (p, y) => bceDiceLossSum(p, y, { crossEntropyWeight: loss.crossEntropyWeight });
    case 'dice':
      return (p, y) => diceLossSum(p, y);
    case 'bce':
      return (p, y) => bceDiceLossSum(p, y, { crossEntropyWeight: 1, diceWeight: 0 });
  }
}

/** Sums over a rank's valid cases, all-reduced by the trainer into means over the split. */
export interface SegmentationScoreSums {
  readonly lossSum: number;
  readonly diceSum: number;
  readonly iouSum: number;
  readonly count: number;
}

export interface ScoreCasesOptions {
  readonly dims: 2 | 3;
  /** The model's [h, w] or [d, h, w]. */
  readonly spatial: readonly number[];
  readonly channels: number;
  readonly lossSum: (probabilities: tf.Tensor, masks: tf.Tensor) => tf.Scalar;
  /** Slices (2D) or patches (3D) per forward pass. */
  readonly batchSize: number;
  /** Overlap of neighbouring windows when a volume is predicted (the spec's `patches.predictionOverlap`). */
  readonly overlap: number;
}

/**
 * Loss, Dice and IoU summed over cases, in inference mode: 2D per slice, 3D per whole volume predicted by sliding
 * window (so the score is the case's, as a radiologist would read it, not a patch's). Thresholded at 0.5.
 */
export async function scoreCases(model: tfl.LayersModel, cases: readonly PreparedCase[], options: ScoreCasesOptions): Promise<SegmentationScoreSums> {
  let lossSum = 0;
  let diceSum = 0;
  let iouSum = 0;
  const add = async (p: tf.Tensor, y: tf.Tensor) => {
    const loss = options.lossSum(p, y);
    const scores = await maskScoreSums(p, y);
    lossSum += (await loss.data())[0] ?? Number.NaN;
    diceSum += scores.diceSum;
    iouSum += scores.iouSum;
    loss.dispose();
  };
  if (options.dims === 2) {
    for (let start = 0; start < cases.length; start += options.batchSize) {
      if (start > 0) await yieldToEventLoop();
      const items = Array.from({ length: Math.min(options.batchSize, cases.length - start) }, (_, i) => ({ caseIndex: start + i }));
      const batch = assembleBatch(cases, items, options.spatial, options.channels, undefined);
      const x = tf.tensor(batch.x, batch.xShape);
      const y = tf.tensor(batch.y, batch.yShape);
      const p = model.predict(x) as tf.Tensor;
      try {
        await add(p, y);
      } finally {
        tf.dispose([x, y, p]);
      }
    }
  } else {
    const patch = options.spatial as unknown as VolumeShape;
    for (const c of cases) {
      const probabilities = await predictSlidingWindow((x) => model.predict(x) as tf.Tensor, c.image, c.shape, {
        patch,
        overlap: options.overlap,
        batchSize: options.batchSize,
      });
      const shape = [1, ...c.shape, options.channels];
      const p = tf.tensor(probabilities, shape);
      const y = tf.tensor(writeTarget(c.mask, options.channels, new Float32Array(voxelCount(c.shape) * options.channels)), shape);
      try {
        await add(p, y);
      } finally {
        tf.dispose([p, y]);
      }
    }
  }
  return { lossSum, diceSum, iouSum, count: cases.length };
}
