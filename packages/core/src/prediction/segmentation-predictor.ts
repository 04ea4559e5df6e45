import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyIntensity } from '../data/intensity.ts';
import type { SegmentationSample, VolumeShape } from '../data/segmentation-shard-format.ts';
import { voxelCount } from '../data/segmentation-shard-format.ts';
import type { IntensitySpec } from '../jobs/segmentation-spec.ts';
import { labelsFromProbabilities } from './segmentation-summary.ts';
import { predictSlidingWindow, windowOrigins } from './sliding-window.ts';

/** What a segmentation model takes, read from its own topology: slices of one size, or patches of a volume. */
export type SegmentationModelInput =
  | { readonly kind: 'slices'; readonly height: number; readonly width: number }
  | { readonly kind: 'patches'; readonly patch: VolumeShape };

/**
 * The input a U-Net takes: [n, h, w, 1] (unet2d) or [n, d, h, w, 1] (unet3d) with fixed sides. Throws naming the
 * shape for anything else (an image classifier's checkpoint, several input channels).
 */
export function segmentationModelInput(model: tfl.LayersModel): SegmentationModelInput {
  const shape = model.inputs[0]?.shape ?? [];
  const sides = shape.slice(1, -1);
  const fixed = sides.every((side): side is number => typeof side === 'number' && side > 0);
  if (!fixed || shape.at(-1) !== 1 || (sides.length !== 2 && sides.length !== 3)) {
    throw new Error(`the model takes [${shape.map(String).join(', ')}]; a segmentation model takes one-channel slices [n, h, w, 1] or patches [n, d, h, w, 1]`);
  }
  const [a, b, c] = sides;
  return sides.length === 2 ? { kind: 'slices', height: a as number, width: b as number } : { kind: 'patches', patch: [a as number, b as number, c as number] };
}

/** One predicted case, handed to the caller as soon as its last slice or patch is done. */
export interface PredictedCase {
  readonly sample: SegmentationSample;
  /** The image through the job's intensity step: what the network saw (depth x height x width). */
  readonly input: Float32Array;
  /** Predicted labels in the sample's voxel order (see labelsFromProbabilities). */
  readonly labels: Uint8Array;
}

export interface PredictSegmentationOptions {
  /** The training job's `data.intensity`, applied to each whole case as training did. */
  readonly intensity: IntensitySpec;
  readonly threshold: number;
  /** Slices (slice models) or patches (patch models) per forward pass: bounds memory, not results. */
  readonly batchSize: number;
  /** Patch models: the training job's `data.patches.predictionOverlap`. */
  readonly overlap: number;
  readonly signal?: AbortSignal | undefined;
  /** Called once per case, in sample order; awaited before the next forward pass (writes bound memory). */
  readonly onCase: (predicted: PredictedCase) => Promise<void>;
  /**
   * Given once, before the first forward pass runs, a function computing it that changes nothing (it may be called
   * several times; the caller disposes what it returns): where a webgpu worker compiles the model's shaders ahead.
   */
  readonly onFirstForward?: ((forward: () => tf.TensorContainer) => Promise<void>) | undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

/**
 * Predicts every case's mask (inference: dropout off, batch norm on its moving statistics).
 * - A slice model (unet2d) predicts each depth slice of each case, slices of consecutive cases filling one forward
 *   pass of `batchSize` (a 2D data set's cases are one slice each); every slice must have the model's height and width.
 * - A patch model (unet3d) predicts each case by sliding window (predictSlidingWindow) with `overlap`, `batchSize`
 *   patches per pass; the volume may have any shape.
 * Costs one forward pass per batch; memory is one batch of input and the cases of the batch in flight.
 */
export async function predictSegmentationCases(
  model: tfl.LayersModel,
  samples: readonly SegmentationSample[],
  options: PredictSegmentationOptions,
): Promise<void> {
  const input = segmentationModelInput(model);
  if (input.kind === 'patches') {
    const first = samples[0];
    if (first !== undefined && options.onFirstForward !== undefined) {
      // The first case's first pass, as predictSlidingWindow will batch it: its patches' values do not matter here.
      const windows = first.shape.reduce((n, side, axis) => n * windowOrigins(side, input.patch[axis] as number, options.overlap).length, 1);
      const shape = [Math.min(options.batchSize, windows), ...input.patch, 1];
      await options.onFirstForward(() => tf.tidy(() => model.predict(tf.zeros(shape)) as tf.Tensor));
    }
    for (const sample of samples) {
      throwIfAborted(options.signal);
      const image = applyIntensity(sample.image, options.intensity);
      const probabilities = await predictSlidingWindow((x) => model.predict(x) as tf.Tensor, image, sample.shape, {
        patch: input.patch,
        overlap: options.overlap,
        batchSize: options.batchSize,
      });
      const labels = labelsFromProbabilities(probabilities, probabilities.length / voxelCount(sample.shape), options.threshold);
      await options.onCase({ sample, input: image, labels });
    }
    return;
  }
  const { height, width } = input;
  for (const sample of samples) {
    if (sample.shape[1] !== height || sample.shape[2] !== width) {
      throw new Error(`case '${sample.id}' is ${sample.shape[1]}x${sample.shape[2]} (height x width) but the model takes ${height}x${width} slices`);
    }
  }
  const area = height * width;
  // Cases whose slices are in flight, in sample order; a case leaves when its last slice is predicted.
  const open: Array<{ sample: SegmentationSample; input: Float32Array; labels: Uint8Array }> = [];
  let caseIndex = 0;
  let slice = 0;
  let firstPass = true;
  while (caseIndex < samples.length) {
    throwIfAborted(options.signal);
    const batch: Array<{ open: (typeof open)[number]; slice: number }> = [];
    while (batch.length < options.batchSize && caseIndex < samples.length) {
      const sample = samples[caseIndex] as SegmentationSample;
      if (slice === 0) open.push({ sample, input: applyIntensity(sample.image, options.intensity), labels: new Uint8Array(voxelCount(sample.shape)) });
      batch.push({ open: open.at(-1) as (typeof open)[number], slice });
      slice += 1;
      if (slice === sample.shape[0]) {
        caseIndex += 1;
        slice = 0;
      }
    }
    const x = new Float32Array(batch.length * area);
    batch.forEach((entry, i) => x.set(entry.open.input.subarray(entry.slice * area, (entry.slice + 1) * area), i * area));
    const forward = (): tf.Tensor => tf.tidy(() => model.predict(tf.tensor4d(x, [batch.length, height, width, 1])) as tf.Tensor);
    if (firstPass) await options.onFirstForward?.(forward);
    firstPass = false;
    const output = forward();
    const channels = output.shape.at(-1) ?? 1;
    const probabilities = await output.data<'float32'>();
    output.dispose();
    batch.forEach((entry, i) => {
      const labels = labelsFromProbabilities(probabilities.subarray(i * area * channels, (i + 1) * area * channels), channels, options.threshold);
      entry.open.labels.set(labels, entry.slice * area);
    });
    // Every open case but the last is complete; the last too when its final slice was in this batch.
    const last = batch.at(-1);
    const lastDone = last !== undefined && last.slice === last.open.sample.shape[0] - 1;
    const done = open.splice(0, lastDone ? open.length : open.length - 1);
    for (const finished of done) await options.onCase(finished);
  }
}
