/**
 * Resizing of 2D slices for segmentation ingest, in float32 so 16-bit CT keeps its values (sharp would round to the
 * output's integer depth). Separable triangle (bilinear) filter whose support widens with the reduction factor, as
 * Pillow's `BILINEAR` and libvips' `reduce` do: plain bilinear interpolation when enlarging, an area-weighted average
 * when shrinking (so a 512 -> 64 reduction does not alias). Pixel centres are aligned (half-pixel convention).
 */

interface Taps {
  /** First source index of each output pixel. */
  readonly start: Int32Array;
  /** Weights per output pixel, `width` each (zero padded), summing to 1. */
  readonly weights: Float32Array;
  readonly width: number;
}

function taps(source: number, target: number): Taps {
  const scale = source / target;
  const support = Math.max(1, scale);
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(target);
  const weights = new Float32Array(target * width);
  for (let out = 0; out < target; out += 1) {
    const centre = (out + 0.5) * scale - 0.5;
    const first = Math.max(0, Math.ceil(centre - support));
    const last = Math.min(source - 1, Math.floor(centre + support));
    let sum = 0;
    for (let at = first; at <= last && at - first < width; at += 1) {
      const weight = Math.max(0, 1 - Math.abs(at - centre) / support);
      weights[out * width + (at - first)] = weight;
      sum += weight;
    }
    if (sum === 0) {
      // Enlarging at the border: the nearest source pixel alone.
      start[out] = Math.min(source - 1, Math.max(0, Math.round(centre)));
      weights[out * width] = 1;
      continue;
    }
    start[out] = first;
    for (let k = 0; k < width; k += 1) weights[out * width + k] = (weights[out * width + k] ?? 0) / sum;
  }
  return { start, weights, width };
}

/**
 * `data` (height x width, row-major) resized to `target`; returns `data` itself when the size is unchanged. Costs
 * one intermediate of target.width x height floats.
 */
export function resizeSlice(data: Float32Array, size: { readonly height: number; readonly width: number }, target: { readonly height: number; readonly width: number }): Float32Array {
  if (data.length !== size.height * size.width) throw new RangeError(`slice holds ${data.length} values, ${size.width}x${size.height} needs ${size.height * size.width}`);
  if (size.height === target.height && size.width === target.width) return data;
  const across = taps(size.width, target.width);
  const down = taps(size.height, target.height);
  const rows = new Float32Array(size.height * target.width);
  for (let y = 0; y < size.height; y += 1) {
    const row = y * size.width;
    for (let x = 0; x < target.width; x += 1) {
      const start = row + (across.start[x] ?? 0);
      let value = 0;
      for (let k = 0; k < across.width; k += 1) value += (across.weights[x * across.width + k] ?? 0) * (data[start + k] ?? 0);
      rows[y * target.width + x] = value;
    }
  }
  const out = new Float32Array(target.height * target.width);
  for (let y = 0; y < target.height; y += 1) {
    const start = down.start[y] ?? 0;
    for (let k = 0; k < down.width; k += 1) {
      const weight = down.weights[y * down.width + k] ?? 0;
      if (weight === 0) continue;
      const from = (start + k) * target.width;
      for (let x = 0; x < target.width; x += 1) out[y * target.width + x] = (out[y * target.width + x] ?? 0) + weight * (rows[from + x] ?? 0);
    }
  }
  return out;
}

/** A 0/1 mask resized with the same filter as its image, then thresholded at 0.5, so edges follow the image's. */
export function resizeMask(mask: Uint8Array, size: { readonly height: number; readonly width: number }, target: { readonly height: number; readonly width: number }): Uint8Array {
  if (size.height === target.height && size.width === target.width) return mask;
  const resized = resizeSlice(Float32Array.from(mask, (value) => (value === 0 ? 0 : 1)), size, target);
  return Uint8Array.from(resized, (value) => (value >= 0.5 ? 1 : 0));
}
