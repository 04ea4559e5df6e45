import type { SeededRandom } from '../random/seeded-random.ts';

/**
 * Keras `ImageDataGenerator`-style random augmentation, applied on each worker to the images of its batch. All
 * ranges are off by default; a typical setting for dogs-vs-cats (Chollet's) is
 * `{ horizontalFlip: true, rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2, zoomRange: 0.2 }`.
 * A random crop is a zoom in (`zoomRange`) plus a shift.
 */
export interface ImageAugmentOptions {
  /** Mirror left-right with probability 1/2. */
  readonly horizontalFlip?: boolean;
  /** Rotate by a uniform angle in [-r, r] degrees. */
  readonly rotationRange?: number;
  /** Scale the sampled region by a uniform factor in [1 - z, 1 + z] (below 1 zooms in, as in Keras). */
  readonly zoomRange?: number;
  /** Shift by a uniform fraction of the width / height in [-s, s]. */
  readonly widthShiftRange?: number;
  readonly heightShiftRange?: number;
  /** Multiply intensities by a uniform factor in [lo, hi] (Keras's `brightness_range`), clamped to 0..255. */
  readonly brightnessRange?: readonly [number, number];
  /** How points outside the source are filled; Keras's default is `nearest`. */
  readonly fillMode?: 'nearest' | 'reflect' | 'constant';
  /** Fill value for `constant`; defaults to 0. */
  readonly cval?: number;
}

export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The random draws of one image's augmentation; {@link drawAugmentation} makes them, tests may give their own. */
export interface AugmentationParams {
  readonly flip: boolean;
  readonly rotationDegrees: number;
  readonly zoom: number;
  /** Shifts in pixels (positive moves the content right / down). */
  readonly shiftX: number;
  readonly shiftY: number;
  readonly brightness: number;
}

/**
 * Draws one image's parameters. Always consumes exactly six numbers from `random`, whatever the options, so turning
 * one augmentation on or off leaves the draws of the others (and of later images) unchanged.
 */
export function drawAugmentation(options: ImageAugmentOptions, shape: ImageShape, random: SeededRandom): AugmentationParams {
  const [flipDraw, rotation, zoom, shiftX, shiftY, brightness] = Array.from({ length: 6 }, () => random.next()) as [
    number, number, number, number, number, number,
  ];
  const symmetric = (u: number, range: number): number => (2 * u - 1) * range;
  const [lo, hi] = options.brightnessRange ?? [1, 1];
  return {
    flip: options.horizontalFlip === true && flipDraw < 0.5,
    rotationDegrees: symmetric(rotation, options.rotationRange ?? 0),
    zoom: 1 + symmetric(zoom, options.zoomRange ?? 0),
    shiftX: symmetric(shiftX, options.widthShiftRange ?? 0) * shape.width,
    shiftY: symmetric(shiftY, options.heightShiftRange ?? 0) * shape.height,
    brightness: lo + brightness * (hi - lo),
  };
}

function reflect(coordinate: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * size;
  let c = ((coordinate % period) + period) % period;
  if (c >= size) c = period - 1 - c;
  return c;
}

/** How {@link applyAugmentation} samples the source: `bilinear` for images, `nearest` for label masks (no new labels). */
export type AugmentInterpolation = 'bilinear' | 'nearest';

/**
 * Applies `params` to one HWC image (uint8 or float32, values 0..255) and writes float32 0..255 into `out` (a new
 * array when omitted). Geometry is one affine map from output to source pixel centres, sampled bilinearly (or at the
 * nearest source pixel, for masks); with no rotation, zoom or shift it is an exact copy (flipped when asked). Costs
 * about 4 x channels reads per pixel.
 */
export function applyAugmentation(
  src: ArrayLike<number>,
  shape: ImageShape,
  params: AugmentationParams,
  options: Pick<ImageAugmentOptions, 'fillMode' | 'cval'> & { readonly interpolation?: AugmentInterpolation } = {},
  out: Float32Array = new Float32Array(shape.height * shape.width * shape.channels),
): Float32Array {
  const { height, width, channels } = shape;
  const fillMode = options.fillMode ?? 'nearest';
  const cval = options.cval ?? 0;
  const b = params.brightness;
  const clampOut = (v: number): number => (b === 1 ? v : Math.min(255, Math.max(0, v * b)));
  const identity = params.rotationDegrees === 0 && params.zoom === 1 && params.shiftX === 0 && params.shiftY === 0;
  if (identity) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const from = (y * width + (params.flip ? width - 1 - x : x)) * channels;
        const to = (y * width + x) * channels;
        for (let c = 0; c < channels; c += 1) out[to + c] = clampOut(src[from + c] as number);
      }
    }
    return out;
  }
  const theta = (params.rotationDegrees * Math.PI) / 180;
  const cos = Math.cos(theta) * params.zoom;
  const sin = Math.sin(theta) * params.zoom;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const fetch = (sx: number, sy: number, c: number): number => {
    if (sx < 0 || sx >= width || sy < 0 || sy >= height) {
      if (fillMode === 'constant') return cval;
      if (fillMode === 'nearest') {
        sx = Math.min(width - 1, Math.max(0, sx));
        sy = Math.min(height - 1, Math.max(0, sy));
      } else {
        sx = reflect(sx, width);
        sy = reflect(sy, height);
      }
    }
    return src[(sy * width + sx) * channels + c] as number;
  };
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      // Output pixel -> source point: undo the shift, then rotate and scale about the centre.
      const ox = (params.flip ? width - 1 - x : x) - cx - params.shiftX;
      const oy = y - cy - params.shiftY;
      const sx = cos * ox - sin * oy + cx;
      const sy = sin * ox + cos * oy + cy;
      const to = (y * width + x) * channels;
      if (options.interpolation === 'nearest') {
        const nx = Math.round(sx);
        const ny = Math.round(sy);
        for (let c = 0; c < channels; c += 1) out[to + c] = clampOut(fetch(nx, ny, c));
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < channels; c += 1) {
        const top = fetch(x0, y0, c) * (1 - fx) + fetch(x0 + 1, y0, c) * fx;
        const bottom = fetch(x0, y0 + 1, c) * (1 - fx) + fetch(x0 + 1, y0 + 1, c) * fx;
        out[to + c] = clampOut(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}

/** Draws and applies one image's augmentation: deterministic for a given generator state. */
export function augmentImage(
  src: ArrayLike<number>,
  shape: ImageShape,
  options: ImageAugmentOptions,
  random: SeededRandom,
  out?: Float32Array,
): Float32Array {
  return applyAugmentation(src, shape, drawAugmentation(options, shape, random), options, out);
}

/**
 * Input normalisation per model, as Keras's `preprocess_input` does it:
 * `caffe` (VGG16/VGG19, ResNet50): RGB -> BGR, then subtract the ImageNet channel means, no scaling;
 * `scale`: divide by 255 (models trained from scratch); `tf` (MobileNet, Inception): to [-1, 1]; `none`.
 */
export type ImageNormalization = 'caffe' | 'scale' | 'tf' | 'none';
export const IMAGE_NORMALIZATIONS: readonly ImageNormalization[] = ['caffe', 'scale', 'tf', 'none'];

/** ImageNet channel means in BGR order, as Keras's `imagenet_utils` subtracts them for caffe-style models. */
export const CAFFE_MEAN_BGR: readonly [number, number, number] = [103.939, 116.779, 123.68];

/** Normalises RGB 0..255 values in place (any number of HWC or NHWC images) and returns `x`. */
export function normalizeImages(x: Float32Array, channels: number, mode: ImageNormalization): Float32Array {
  switch (mode) {
    case 'none':
      return x;
    case 'scale':
      for (let i = 0; i < x.length; i += 1) x[i] = (x[i] as number) / 255;
      return x;
    case 'tf':
      for (let i = 0; i < x.length; i += 1) x[i] = (x[i] as number) / 127.5 - 1;
      return x;
    case 'caffe': {
      if (channels !== 3) throw new RangeError(`caffe normalisation needs 3 channels, got ${channels}`);
      const [meanB, meanG, meanR] = CAFFE_MEAN_BGR;
      for (let i = 0; i + 2 < x.length; i += 3) {
        const r = x[i] as number;
        x[i] = (x[i + 2] as number) - meanB;
        x[i + 1] = (x[i + 1] as number) - meanG;
        x[i + 2] = r - meanR;
      }
      return x;
    }
  }
}
