import * as tf from '@tensorflow/tfjs-core';

/**
 * Segmentation losses and metrics over masks shaped like the model output: [n, ...spatial, c] (2D [n, h, w, c], 3D
 * [n, d, h, w, c]). With c = 1 the output is a sigmoid foreground probability and the mask holds 0/1; with c > 1
 * it is a softmax over classes and the mask is one-hot (tf.oneHot of a label map), channel 0 being background.
 *
 * Every score is computed PER IMAGE (per patch) and then averaged over images; with c > 1, per foreground class
 * (channels 1..c-1) and averaged over them, as background would otherwise dominate with scores near 1.
 *
 * Data-parallel equivalence: the losses return a SUM over images, which each rank divides by the GLOBAL batch size
 * (as crossEntropySum), so the all-reduced gradient is that of the global batch's mean per-image loss on one worker
 * (up to floating-point summation order). Dice over the whole global batch as one pool of pixels,
 * 2ΣI / (ΣP + ΣY), would not decompose: it is a ratio of global sums, so a rank's gradient would depend on the
 * other ranks' sums and need an extra all-reduce before the backward pass. Per-image Dice is also the usual reporting
 * unit (Dice per case).
 */

/** Keras's backend epsilon: probabilities are clipped to [eps, 1 - eps] before logarithms. */
const logEpsilon = 1e-7;

/**
 * Default smoothing of the soft Dice: D = (2ΣI + s) / (ΣP + ΣY + s). s = 1 (the usual "smooth = 1") keeps an image
 * with an empty mask from scoring near 0 for faint, not exactly zero, probabilities, and makes both-empty exactly 1.
 */
export const defaultDiceSmoothing = 1;

export interface DiceLossOptions {
  /** Added to numerator and denominator; default {@link defaultDiceSmoothing}. Must be > 0. */
  readonly smoothing?: number | undefined;
}

export interface BceDiceLossOptions extends DiceLossOptions {
  /** Weight of the per-image mean (binary or categorical) cross-entropy; default 1. */
  readonly crossEntropyWeight?: number | undefined;
  /** Weight of the per-image soft Dice loss (1 - Dice); default 1. */
  readonly diceWeight?: number | undefined;
}

/**
 * Per-image soft Dice coefficient [n] of probabilities against masks, averaged over foreground channels. Differentiable
 * in `probabilities`; 1 for a perfect prediction, and exactly 1 when both are empty.
 */
export function softDice(probabilities: tf.Tensor, masks: tf.Tensor, options: DiceLossOptions = {}): tf.Tensor1D {
  const smoothing = options.smoothing ?? defaultDiceSmoothing;
  if (!(smoothing > 0)) throw new RangeError(`Dice smoothing must be positive, got ${smoothing}`);
  checkShapes(probabilities, masks);
  return tf.tidy(() => {
    const [p, y] = foreground(probabilities, tf.cast(masks, 'float32'));
    const intersection = tf.sum(tf.mul(p, y), 1);
    const sizes = tf.add(tf.sum(p, 1), tf.sum(y, 1));
    const dice = tf.div(tf.add(tf.mul(intersection, 2), smoothing), tf.add(sizes, smoothing));
    return tf.mean<tf.Tensor1D>(dice, 1);
  });
}

/** SUM over images of the soft Dice loss 1 - Dice; divide by the GLOBAL batch size (see the file comment). */
export function diceLossSum(probabilities: tf.Tensor, masks: tf.Tensor, options: DiceLossOptions = {}): tf.Scalar {
  return tf.tidy(() => tf.sum<tf.Scalar>(tf.sub(1, softDice(probabilities, masks, options))));
}

/**
 * SUM over images of crossEntropyWeight · (mean cross-entropy over the image's pixels) + diceWeight · (1 - soft Dice):
 * the cross-entropy gives every pixel a gradient from the first step, the Dice term balances a small foreground
 * against a large background. Divide by the GLOBAL batch size.
 */
export function bceDiceLossSum(probabilities: tf.Tensor, masks: tf.Tensor, options: BceDiceLossOptions = {}): tf.Scalar {
  const crossEntropyWeight = options.crossEntropyWeight ?? 1;
  const diceWeight = options.diceWeight ?? 1;
  if (!(crossEntropyWeight >= 0 && diceWeight >= 0)) {
    throw new RangeError(`loss weights must be non-negative, got crossEntropyWeight ${crossEntropyWeight}, diceWeight ${diceWeight}`);
  }
  checkShapes(probabilities, masks);
  return tf.tidy(() => {
    const n = probabilities.shape[0] ?? 0;
    const channels = probabilities.shape[probabilities.rank - 1] ?? 1;
    const p = tf.reshape(tf.clipByValue(probabilities, logEpsilon, 1 - logEpsilon), [n, -1, channels]);
    const y = tf.reshape(tf.cast(masks, 'float32'), [n, -1, channels]);
    // Per pixel: binary cross-entropy of the one sigmoid channel, or categorical cross-entropy over the softmax.
    const logLikelihood =
      channels === 1 ? tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))) : tf.mul(y, tf.log(p));
    const crossEntropy = tf.neg(tf.div(tf.sum(logLikelihood, [1, 2]), p.shape[1] ?? 1));
    const diceLoss = tf.sub(1, softDice(probabilities, masks, options));
    return tf.sum<tf.Scalar>(tf.add(tf.mul(crossEntropy, crossEntropyWeight), tf.mul(diceLoss, diceWeight)));
  });
}

/** Per-image Dice and IoU [n] of thresholded predictions. */
export interface MaskScores {
  readonly dice: tf.Tensor1D;
  readonly iou: tf.Tensor1D;
}

/**
 * Dice 2|A∩B| / (|A| + |B|) and IoU |A∩B| / |A∪B| per image of hard masks: predicted foreground where the sigmoid
 * probability exceeds `threshold` (default 0.5), or the argmax class for a softmax; true foreground where the mask
 * exceeds 0.5 (or its argmax). Exact, no smoothing: an image whose predicted and true masks are both empty (for a class)
 * scores 1 on both, a non-empty one against an empty one 0. Averaged over foreground classes when c > 1.
 */
export function maskScores(probabilities: tf.Tensor, masks: tf.Tensor, threshold = 0.5): MaskScores {
  checkShapes(probabilities, masks);
  return tf.tidy(() => {
    const [a, b] = foreground(hardMask(probabilities, threshold), hardMask(tf.cast(masks, 'float32'), 0.5));
    const intersection = tf.sum(tf.mul(a, b), 1);
    const sizes = tf.add(tf.sum(a, 1), tf.sum(b, 1));
    const union = tf.sub(sizes, intersection);
    const empty = tf.equal(sizes, 0);
    // Guarded denominators: max(·, 1) never changes a non-empty count, and the empty case is replaced by 1 anyway.
    const dice = tf.where(empty, tf.onesLike(sizes), tf.div(tf.mul(intersection, 2), tf.maximum(sizes, 1)));
    const iou = tf.where(empty, tf.onesLike(sizes), tf.div(intersection, tf.maximum(union, 1)));
    return { dice: tf.mean<tf.Tensor1D>(dice, 1), iou: tf.mean<tf.Tensor1D>(iou, 1) };
  });
}

/**
 * Sums of the per-image Dice and IoU of a batch, for data-parallel evaluation: each rank sums over its images, one
 * all-reduce of [diceSum, iouSum, count] gives every rank the means over the whole split.
 */
export async function maskScoreSums(
  probabilities: tf.Tensor,
  masks: tf.Tensor,
  threshold = 0.5,
): Promise<{ readonly diceSum: number; readonly iouSum: number; readonly count: number }> {
  const scores = maskScores(probabilities, masks, threshold);
  try {
    const [dice, iou] = await Promise.all([scores.dice.data<'float32'>(), scores.iou.data<'float32'>()]);
    return { diceSum: dice.reduce((s, v) => s + v, 0), iouSum: iou.reduce((s, v) => s + v, 0), count: dice.length };
  } finally {
    tf.dispose([scores.dice, scores.iou]);
  }
}

function checkShapes(probabilities: tf.Tensor, masks: tf.Tensor): void {
  const same = probabilities.rank === masks.rank && probabilities.shape.every((side, axis) => side === masks.shape[axis]);
  if (!same || probabilities.rank < 3) {
    throw new RangeError(
      `segmentation probabilities and masks must share one shape [n, ...spatial, channels], got [${probabilities.shape.join(', ')}] and [${masks.shape.join(', ')}]`,
    );
  }
}

/** [n, ...spatial, c] -> [n, pixels, c'] with c' = 1 for a sigmoid output, else the foreground channels 1..c-1. */
function foreground(p: tf.Tensor, y: tf.Tensor): [tf.Tensor3D, tf.Tensor3D] {
  const n = p.shape[0] ?? 0;
  const channels = p.shape[p.rank - 1] ?? 1;
  const p3 = tf.reshape<tf.Rank.R3>(p, [n, -1, channels]);
  const y3 = tf.reshape<tf.Rank.R3>(y, [n, -1, channels]);
  if (channels === 1) return [p3, y3];
  const pixels = p3.shape[1];
  return [tf.slice(p3, [0, 0, 1], [n, pixels, channels - 1]), tf.slice(y3, [0, 0, 1], [n, pixels, channels - 1])];
}

/** 0/1 float masks: `> threshold` of a single channel, one-hot argmax of several. */
function hardMask(values: tf.Tensor, threshold: number): tf.Tensor {
  const channels = values.shape[values.rank - 1] ?? 1;
  if (channels === 1) return tf.cast(tf.greater(values, threshold), 'float32');
  return tf.oneHot(tf.argMax(values, -1), channels, 1, 0, 'float32');
}
