import { applyIntensity, extremes } from '../data/intensity.ts';
import { drawPatchOrigins, extractPatch, foregroundIndices } from '../data/patch-sampler.ts';
import type { PatchOrigin } from '../data/patch-sampler.ts';
import { applySliceAugmentation, drawPatchFlips, drawSliceAugmentation, flipPatch } from '../data/segmentation-augment.ts';
import type { SegmentationAugmentOptions } from '../data/segmentation-augment.ts';
import type { SegmentationSample, VolumeShape } from '../data/segmentation-shard-format.ts';
import { voxelCount } from '../data/segmentation-shard-format.ts';
import type { IntensitySpec } from '../jobs/segmentation-spec.ts';
import { SeededRandom } from '../random/seeded-random.ts';

/**
 * What a segmentation trainer feeds the U-Net: samples through the job's intensity step (once per run: it is
 * deterministic), the items of an epoch (2D: the rank's slices shuffled; 3D: `perVolume` patches drawn from each of
 * its volumes, shuffled), and the float32 tensors' data of a batch of items (augmented per step).
 */

/** A sample ready for training: its image through the intensity step, its mask, and (3D) its foreground voxels. */
export interface PreparedCase {
  readonly id: string;
  readonly shape: VolumeShape;
  /** depth x height x width, after the intensity step. */
  readonly image: Float32Array;
  readonly mask: Uint8Array;
  /** The image's minimum after the intensity step: what padding outside the volume reads as. */
  readonly fill: number;
  /** Foreground voxel indices (3D patch placement); empty for 2D. */
  readonly foreground: Int32Array;
}

/** Applies the intensity step to labeled samples; throws naming a sample without a mask. */
export function prepareCases(samples: readonly SegmentationSample[], intensity: IntensitySpec, dims: 2 | 3): PreparedCase[] {
  return samples.map((sample) => {
    if (sample.mask === undefined) throw new RangeError(`sample '${sample.id}' (${sample.split}) has no mask: only labeled samples train or validate`);
    const image = applyIntensity(sample.image, intensity);
    return {
      id: sample.id,
      shape: sample.shape,
      image,
      mask: sample.mask,
      fill: extremes(image).min,
      foreground: dims === 3 ? foregroundIndices(sample.mask) : new Int32Array(0),
    };
  });
}

/** One training item: a slice (2D) or a patch of a volume at `origin` (3D). */
export interface TrainingItem {
  readonly caseIndex: number;
  readonly origin?: PatchOrigin | undefined;
}

export interface EpochItemsOptions {
  readonly dims: 2 | 3;
  /** The model's patch [d, h, w] (3D). */
  readonly patch: VolumeShape;
  readonly perVolume: number;
  readonly foregroundFraction: number;
  readonly seed: number;
  readonly epoch: number;
  readonly rank: number;
}

/**
 * A rank's items of one epoch, in training order, from streams keyed by (seed, epoch, rank): the same on every run
 * and after a resume. 2D: each case once; 3D: `perVolume` patches per case, placed by {@link drawPatchOrigins}.
 */
export function epochItems(cases: readonly PreparedCase[], options: EpochItemsOptions): TrainingItem[] {
  const { dims, seed, epoch, rank } = options;
  if (dims === 2) {
    return Array.from(SeededRandom.fromSeed(seed, 'segmentation-epoch', epoch, rank).permutation(cases.length), (caseIndex) => ({ caseIndex }));
  }
  const placement = SeededRandom.fromSeed(seed, 'patches', epoch, rank);
  const items: TrainingItem[] = [];
  for (const [caseIndex, c] of cases.entries()) {
    for (const origin of drawPatchOrigins(c.shape, options.patch, options.perVolume, options.foregroundFraction, c.foreground, placement)) {
      items.push({ caseIndex, origin });
    }
  }
  return placement.shuffle(items);
}

/** The data of one batch's input and target tensors. */
export interface SegmentationBatch {
  /** [n, h, w, 1] (2D) or [n, d, h, w, 1] (3D). */
  readonly x: Float32Array;
  readonly xShape: number[];
  /** [n, ...spatial, channels]: 0/1 foreground (1 channel) or one-hot labels. */
  readonly y: Float32Array;
  readonly yShape: number[];
}

/**
 * Builds a batch of `items`, each augmented from `random` (slices: one affine for image and mask, brightness and
 * contrast for the image; patches: flips along width and height). `spatial` is the model's [h, w] or [d, h, w].
 */
export function assembleBatch(
  cases: readonly PreparedCase[],
  items: readonly TrainingItem[],
  spatial: readonly number[],
  channels: number,
  augment: { readonly options: SegmentationAugmentOptions; readonly random: SeededRandom } | undefined,
): SegmentationBatch {
  const per = spatial.reduce((a, b) => a * b, 1);
  const x = new Float32Array(items.length * per);
  const y = new Float32Array(items.length * per * channels);
  const patch = (spatial.length === 3 ? spatial : [1, ...spatial]) as unknown as VolumeShape;
  for (const [i, item] of items.entries()) {
    const c = cases[item.caseIndex];
    if (c === undefined) throw new RangeError(`item names case ${item.caseIndex} of ${cases.length}`);
    const outImage = x.subarray(i * per, (i + 1) * per);
    let mask: ArrayLike<number>;
    if (item.origin === undefined) {
      if (voxelCount(c.shape) !== per) throw new RangeError(`slice '${c.id}' is [${c.shape.join(', ')}], the model takes [${spatial.join(', ')}]`);
      if (augment === undefined) {
        outImage.set(c.image);
        mask = c.mask;
      } else {
        const size = { height: patch[1], width: patch[2] };
        const out = applySliceAugmentation(c.image, c.mask, size, drawSliceAugmentation(augment.options, size, augment.random));
        outImage.set(out.image);
        mask = out.mask;
      }
    } else {
      extractPatch(c.image, c.shape, item.origin, patch, c.fill, outImage);
      const patchMask = extractPatch(c.mask, c.shape, item.origin, patch, 0, new Uint8Array(per));
      if (augment !== undefined) flipPatch(outImage, patchMask, patch, drawPatchFlips(augment.options, augment.random));
      mask = patchMask;
    }
    writeTarget(mask, channels, y.subarray(i * per * channels, (i + 1) * per * channels));
  }
  return { x, xShape: [items.length, ...spatial, 1], y, yShape: [items.length, ...spatial, channels] };
}

/**
 * Labels to the model's target: 1 channel (sigmoid) takes every non-zero label as foreground; c channels take the
 * one-hot of the label (labels at or above c are refused).
 */
export function writeTarget(mask: ArrayLike<number>, channels: number, out: Float32Array): Float32Array {
  if (channels === 1) {
    for (let v = 0; v < mask.length; v++) out[v] = mask[v] === 0 ? 0 : 1;
    return out;
  }
  out.fill(0);
  for (let v = 0; v < mask.length; v++) {
    const label = Math.round(mask[v] as number);
    if (!(label >= 0 && label < channels)) throw new RangeError(`mask label ${label} is outside the model's ${channels} classes`);
    out[v * channels + label] = 1;
  }
  return out;
}
