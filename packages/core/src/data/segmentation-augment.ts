import type { z } from 'zod';
import type { segmentationSchema } from '../jobs/segmentation-spec.ts';
import type { SeededRandom } from '../random/seeded-random.ts';
import { applyAugmentation, drawAugmentation } from './image-augment.ts';
import type { AugmentationParams } from './image-augment.ts';
import type { VolumeShape } from './segmentation-shard-format.ts';

/**
 * Paired augmentation of segmentation samples: geometry applied to image and mask with the SAME transform (the image
 * sampled bilinearly, the mask at the nearest source pixel so it keeps its labels), brightness and contrast to the
 * image alone. 2D slices take every option; 3D patches take the flips along width and height (a rotation of a
 * volume would need a 3D resampling and anisotropic spacing makes it questionable; flips are exact).
 */

/** The spec's `data.augment`: every option off unless given. */
export type SegmentationAugmentOptions = z.output<typeof segmentationSchema>['data']['augment'];

/** One slice's random draws; {@link drawSliceAugmentation} makes them, tests may give their own. */
export interface SliceAugmentParams {
  /** The affine part (rotation, zoom, shifts, left-right flip) as image-augment.ts applies it; brightness unused. */
  readonly geometry: AugmentationParams;
  readonly verticalFlip: boolean;
  /** Factor the normalised image is multiplied by. */
  readonly brightness: number;
  /** Factor the image's deviation from its mean is multiplied by. */
  readonly contrast: number;
}

/**
 * Draws one slice's parameters. Always consumes exactly eight numbers, whatever the options, so turning one
 * augmentation on or off leaves the draws of the others (and of later samples) unchanged.
 */
export function drawSliceAugmentation(
  options: SegmentationAugmentOptions,
  shape: { readonly height: number; readonly width: number },
  random: SeededRandom,
): SliceAugmentParams {
  // Six draws (flip, rotation, zoom, shifts, brightness from `brightnessRange`), then vertical flip and contrast.
  const drawn = drawAugmentation(options, { ...shape, channels: 1 }, random);
  const verticalDraw = random.next();
  const contrastDraw = random.next();
  const [lo, hi] = options.contrastRange ?? [1, 1];
  return {
    geometry: { ...drawn, brightness: 1 },
    verticalFlip: options.verticalFlip === true && verticalDraw < 0.5,
    brightness: drawn.brightness,
    contrast: lo + contrastDraw * (hi - lo),
  };
}

/**
 * Applies `params` to one slice: returns the transformed image (float32, in the image's own units) and mask (float32
 * labels, exact: nearest sampling invents no label). The identity parameters copy both exactly.
 */
export function applySliceAugmentation(
  image: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: { readonly height: number; readonly width: number },
  params: SliceAugmentParams,
): { image: Float32Array; mask: Float32Array } {
  const grey = { height: shape.height, width: shape.width, channels: 1 };
  // Edges replicate (Keras's default) in both, so the filled margins of image and mask agree.
  const outImage = applyAugmentation(image, grey, params.geometry, { fillMode: 'nearest', interpolation: 'bilinear' });
  const outMask = applyAugmentation(mask, grey, params.geometry, { fillMode: 'nearest', interpolation: 'nearest' });
  if (params.verticalFlip) {
    flipAxis(outImage, [1, shape.height, shape.width], 1);
    flipAxis(outMask, [1, shape.height, shape.width], 1);
  }
  if (params.brightness !== 1 || params.contrast !== 1) {
    let mean = 0;
    for (let i = 0; i < outImage.length; i++) mean += outImage[i] as number;
    mean = (mean / Math.max(1, outImage.length)) * params.brightness;
    for (let i = 0; i < outImage.length; i++) outImage[i] = mean + ((outImage[i] as number) * params.brightness - mean) * params.contrast;
  }
  return { image: outImage, mask: outMask };
}

/** Draws and applies one slice's augmentation: deterministic for a given generator state. */
export function augmentSlice(
  image: ArrayLike<number>,
  mask: ArrayLike<number>,
  shape: { readonly height: number; readonly width: number },
  options: SegmentationAugmentOptions,
  random: SeededRandom,
): { image: Float32Array; mask: Float32Array } {
  return applySliceAugmentation(image, mask, shape, drawSliceAugmentation(options, shape, random));
}

/** A 3D patch's flips. */
export interface PatchFlips {
  /** Along width (left-right). */
  readonly horizontal: boolean;
  /** Along height (up-down). */
  readonly vertical: boolean;
}

/** Draws a patch's flips; always consumes two numbers. */
export function drawPatchFlips(options: SegmentationAugmentOptions, random: SeededRandom): PatchFlips {
  const horizontal = random.next() < 0.5;
  const vertical = random.next() < 0.5;
  return { horizontal: options.horizontalFlip === true && horizontal, vertical: options.verticalFlip === true && vertical };
}

/** Flips a [depth, height, width] patch's image and mask in place along the drawn axes. */
export function flipPatch(image: Float32Array | Uint8Array, mask: Float32Array | Uint8Array, shape: VolumeShape, flips: PatchFlips): void {
  for (const [axis, on] of [[2, flips.horizontal], [1, flips.vertical]] as const) {
    if (!on) continue;
    flipAxis(image, shape, axis);
    flipAxis(mask, shape, axis);
  }
}

/** Reverses a row-major [depth, height, width] array in place along `axis` (1: height, 2: width). */
function flipAxis(data: Float32Array | Uint8Array, shape: VolumeShape, axis: 1 | 2): void {
  const [depth, height, width] = shape;
  if (axis === 2) {
    for (let row = 0; row < depth * height; row++) data.subarray(row * width, (row + 1) * width).reverse();
    return;
  }
  const plane = height * width;
  const scratch = data.slice(0, width);
  for (let z = 0; z < depth; z++) {
    for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
      const a = z * plane + top * width;
      const b = z * plane + bottom * width;
      scratch.set(data.subarray(a, a + width));
      data.copyWithin(a, b, b + width);
      data.set(scratch, b);
    }
  }
}
