/** A decoded 2-D slice as one grey value per pixel, row-major (x fastest). */
export interface GraySlice {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** Stored sample values (not rescaled to 0..1): 0..255 for 8-bit, 0..65535 or -32768..32767 for 16-bit. */
  readonly data: Float32Array;
  readonly bitsPerSample: number;
  readonly samplesPerPixel: number;
  /** 'gray': the only (or first, before alpha) channel; 'luma': RGB combined with BT.601 weights. */
  readonly conversion: 'gray' | 'luma';
}

// ITU-R BT.601 luma, as the NIfTI RGB24 conversion. For the re-encoded Kaggle slices R = G = B, so this is exactly the
// stored grey value.
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Reduces interleaved samples (`channels` per pixel) to one grey value per pixel: channel 0 for grey (+ alpha),
 * BT.601 luma for RGB (+ alpha).
 */
export function toGray(samples: ArrayLike<number>, pixels: number, channels: number): { data: Float32Array; conversion: 'gray' | 'luma' } {
  const data = new Float32Array(pixels);
  if (channels < 3) {
    for (let i = 0, at = 0; i < pixels; i += 1, at += channels) data[i] = samples[at] ?? 0;
    return { data, conversion: 'gray' };
  }
  for (let i = 0, at = 0; i < pixels; i += 1, at += channels) {
    data[i] = LUMA[0] * (samples[at] ?? 0) + LUMA[1] * (samples[at + 1] ?? 0) + LUMA[2] * (samples[at + 2] ?? 0);
  }
  return { data, conversion: 'luma' };
}

/**
 * A mask as 0/1: 1 where the grey value is at least `threshold`. The default is 128 for 8-bit masks (the Montgomery
 * PNG masks are 0/255 with smoothed edges; their README says to threshold at 128) and 1 otherwise (label images).
 */
export function toBinaryMask(slice: GraySlice, threshold = slice.bitsPerSample === 8 ? 128 : 1): Uint8Array {
  const mask = new Uint8Array(slice.data.length);
  for (let i = 0; i < mask.length; i += 1) mask[i] = (slice.data[i] ?? 0) >= threshold ? 1 : 0;
  return mask;
}
