import sharp from 'sharp';

/**
 * PNG overlays of predicted masks, as a segmentation-prediction job writes one per case: the image in grey, the
 * predicted foreground blended in {@link OVERLAY_COLOURS}.predicted and the true mask's outline drawn over it in
 * {@link OVERLAY_COLOURS}.outline. Rows are the stored height index from 0 down, columns the width index (no
 * reorientation: a PNG/TIFF slice looks as its file did, a canonical NIfTI volume's axial slice has anterior at the
 * bottom). Costs one pass over the slice and one PNG encode (libvips, off the main thread).
 */

type Rgb = readonly [number, number, number];

export const OVERLAY_COLOURS: { readonly predicted: Rgb; readonly outline: Rgb } = { predicted: [255, 48, 48], outline: [0, 255, 0] };

/** Share of the predicted colour in a predicted pixel: the anatomy under the mask stays visible. */
export const PREDICTED_ALPHA = 0.45;

export interface OverlaySlice {
  readonly height: number;
  readonly width: number;
  /** height x width grey values in [0, 1] (clipped), width fastest. */
  readonly grey: ArrayLike<number>;
  /** height x width labels, any non-zero one is predicted foreground. */
  readonly predicted: Uint8Array;
  /** height x width true labels; undefined for an unlabeled case (no outline). */
  readonly truth?: Uint8Array | undefined;
}

/**
 * The true mask's outline: foreground pixels with a 4-neighbour that is background or outside the image, so a mask
 * touching the border is closed there too. One pass.
 */
export function maskOutline(mask: Uint8Array, height: number, width: number): Uint8Array {
  const outline = new Uint8Array(height * width);
  const isForeground = (y: number, x: number): boolean => y >= 0 && y < height && x >= 0 && x < width && mask[y * width + x] !== 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (!isForeground(y, x)) continue;
      if (!isForeground(y - 1, x) || !isForeground(y + 1, x) || !isForeground(y, x - 1) || !isForeground(y, x + 1)) outline[y * width + x] = 1;
    }
  }
  return outline;
}

/** RGB bytes (height x width x 3) of one slice's overlay. */
export function composeOverlay(slice: OverlaySlice): Uint8Array {
  const { height, width } = slice;
  const pixels = height * width;
  for (const [name, values] of [['grey', slice.grey], ['predicted', slice.predicted], ['truth', slice.truth]] as const) {
    if (values !== undefined && values.length !== pixels) throw new RangeError(`overlay ${name} has ${values.length} pixels, ${height}x${width} needs ${pixels}`);
  }
  const outline = slice.truth === undefined ? undefined : maskOutline(slice.truth, height, width);
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i += 1) {
    const grey = Math.round(Math.min(1, Math.max(0, slice.grey[i] ?? 0)) * 255);
    let colour: Rgb = [grey, grey, grey];
    if (outline?.[i] === 1) colour = OVERLAY_COLOURS.outline;
    else if (slice.predicted[i] !== 0) colour = colour.map((c, k) => Math.round(c * (1 - PREDICTED_ALPHA) + (OVERLAY_COLOURS.predicted[k] as number) * PREDICTED_ALPHA)) as unknown as Rgb;
    rgb.set(colour, i * 3);
  }
  return rgb;
}

/**
 * Which slice (depth index) of a volume shows it best: the one with the most predicted plus true foreground voxels,
 * the first of equals; the middle slice when neither mask has any. A 2D case (depth 1) is its only slice.
 */
export function overlaySliceIndex(shape: readonly [depth: number, height: number, width: number], predicted: Uint8Array, truth: Uint8Array | undefined): number {
  const [depth, height, width] = shape;
  const area = height * width;
  let best = -1;
  let bestCount = 0;
  for (let z = 0; z < depth; z += 1) {
    let count = 0;
    for (let i = z * area; i < (z + 1) * area; i += 1) count += (predicted[i] !== 0 ? 1 : 0) + (truth !== undefined && truth[i] !== 0 ? 1 : 0);
    if (count > bestCount) {
      best = z;
      bestCount = count;
    }
  }
  return best < 0 ? Math.floor(depth / 2) : best;
}

/**
 * The overlay PNG of a case ([depth, height, width] volumes, width fastest; a 2D case has depth 1): the slice
 * {@link overlaySliceIndex} picks, composed by {@link composeOverlay}. Returns the PNG bytes and the slice shown.
 */
export async function renderOverlayPng(volume: {
  readonly shape: readonly [depth: number, height: number, width: number];
  readonly grey: Float32Array;
  readonly predicted: Uint8Array;
  readonly truth?: Uint8Array | undefined;
}): Promise<{ png: Buffer; slice: number }> {
  const [, height, width] = volume.shape;
  const area = height * width;
  const slice = overlaySliceIndex(volume.shape, volume.predicted, volume.truth);
  const at = (values: Uint8Array): Uint8Array => values.subarray(slice * area, (slice + 1) * area);
  const rgb = composeOverlay({
    height,
    width,
    grey: volume.grey.subarray(slice * area, (slice + 1) * area),
    predicted: at(volume.predicted),
    truth: volume.truth === undefined ? undefined : at(volume.truth),
  });
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { png, slice };
}
