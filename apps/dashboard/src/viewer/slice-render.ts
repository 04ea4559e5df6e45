/**
 * The slice viewer's pixel math, kept apart from React and the canvas so it is tested as plain functions: which voxels
 * make a slice, how a window (centre/width, as radiology viewers give it) maps intensities to grey, and how masks are
 * composited over the grey image. Volumes are depth x height x width with width fastest (the packed shard's order), so
 * a depth slice is one contiguous run of height x width voxels and costs no copy.
 */

export type VolumeShape = readonly [depth: number, height: number, width: number];

/** Centre and width of the intensity window, in the image's units (Hounsfield for CT). */
export interface IntensityWindow {
  readonly center: number;
  readonly width: number;
}

/** RGB, 0..255 each. */
export type Rgb = readonly [number, number, number];

/** A mask drawn over the grey image: every voxel with a label above 0 filled translucently, or only the mask's edge. */
export interface MaskOverlay {
  /** One slice of labels (height x width), as {@link sliceOf} returns it. */
  readonly mask: Uint8Array;
  readonly color: Rgb;
  /** 0 (invisible) to 1 (opaque). */
  readonly opacity: number;
  readonly style: 'fill' | 'outline';
}

/** Depth slice `index` (clamped into range) of a volume: a view, not a copy. */
export function sliceOf<T extends Float32Array | Uint8Array>(volume: T, shape: VolumeShape, index: number): T {
  const [depth, height, width] = shape;
  const at = clampSlice(index, depth);
  return volume.subarray(at * height * width, (at + 1) * height * width) as T;
}

/** A slice index kept within 0..depth-1 (whole numbers only). */
export function clampSlice(index: number, depth: number): number {
  return Math.min(Math.max(0, Math.round(index)), Math.max(0, depth - 1));
}

/**
 * Grey level 0..255 of `value` under `window`: linear from centre - width/2 (black) to centre + width/2 (white),
 * clipped outside. A width below 1 is taken as 1 (a threshold at the centre).
 */
export function greyOf(value: number, window: IntensityWindow): number {
  const width = Math.max(1, window.width);
  const low = window.center - width / 2;
  const grey = ((value - low) / width) * 255;
  if (!(grey > 0)) return 0;
  return grey >= 255 ? 255 : Math.round(grey);
}

/** Lowest and highest finite intensity of an image (0, 0 when it has none). One pass. */
export function intensityRange(image: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of image) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min > max ? { min: 0, max: 0 } : { min, max };
}

/** The window an image opens with: a named preset for CT in Hounsfield units, else its whole intensity range. */
export function initialWindow(units: string, range: { min: number; max: number }, huPreset: IntensityWindow): IntensityWindow {
  if (units === 'HU') return huPreset;
  return { center: (range.min + range.max) / 2, width: Math.max(1, range.max - range.min) };
}

/**
 * The window after dragging `dx`, `dy` CSS pixels from where the drag began, as radiology viewers do it: right widens
 * the window (less contrast), down raises the centre (darker). One pixel moves `span / 256` intensity units, so a drag
 * across a 512-pixel canvas covers about twice the image's range whatever its units.
 */
export function draggedWindow(start: IntensityWindow, dx: number, dy: number, span: number): IntensityWindow {
  const step = Math.max(span, 1) / 256;
  return { center: round2(start.center + dy * step), width: Math.max(1, round2(start.width + dx * step)) };
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Voxels of a mask slice on its edge: labeled, with a 4-neighbour unlabeled or outside the slice. */
export function outlineOf(mask: Uint8Array, height: number, width: number): Uint8Array {
  const edge = new Uint8Array(mask.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * width + x;
      if (!mask[at]) continue;
      const inside = x > 0 && x < width - 1 && y > 0 && y < height - 1 && mask[at - 1] && mask[at + 1] && mask[at - width] && mask[at + width];
      if (!inside) edge[at] = mask[at]!;
    }
  }
  return edge;
}

/**
 * Paints one slice into `out` (RGBA, height x width x 4, as canvas ImageData holds it): the image through the window
 * as grey, then each overlay in order, blended as colour x opacity + below x (1 - opacity) where its mask (or the
 * mask's outline) is labeled. One pass per overlay; nothing is allocated but the outlines.
 */
export function renderSlice(
  out: Uint8ClampedArray,
  image: Float32Array,
  height: number,
  width: number,
  window: IntensityWindow,
  overlays: readonly MaskOverlay[] = [],
): void {
  const pixels = height * width;
  if (image.length !== pixels || out.length !== pixels * 4) {
    throw new RangeError(`a ${height}x${width} slice needs ${pixels} voxels and ${pixels * 4} RGBA bytes, got ${image.length} and ${out.length}`);
  }
  for (let i = 0; i < pixels; i += 1) {
    const grey = greyOf(image[i] as number, window);
    out[i * 4] = grey;
    out[i * 4 + 1] = grey;
    out[i * 4 + 2] = grey;
    out[i * 4 + 3] = 255;
  }
  for (const overlay of overlays) {
    if (overlay.mask.length !== pixels) throw new RangeError(`an overlay of ${overlay.mask.length} voxels does not fit a ${height}x${width} slice`);
    const alpha = Math.min(1, Math.max(0, overlay.opacity));
    if (alpha === 0) continue;
    const mask = overlay.style === 'outline' ? outlineOf(overlay.mask, height, width) : overlay.mask;
    const [r, g, b] = overlay.color;
    for (let i = 0; i < pixels; i += 1) {
      if (!mask[i]) continue;
      out[i * 4] = r * alpha + (out[i * 4] as number) * (1 - alpha);
      out[i * 4 + 1] = g * alpha + (out[i * 4 + 1] as number) * (1 - alpha);
      out[i * 4 + 2] = b * alpha + (out[i * 4 + 2] as number) * (1 - alpha);
    }
  }
}

/** Labeled voxels per depth slice: lets the viewer jump to where a mask is. */
export function foregroundBySlice(mask: Uint8Array, shape: VolumeShape): number[] {
  const [depth, height, width] = shape;
  const counts = new Array<number>(depth).fill(0);
  for (let z = 0; z < depth; z += 1) {
    let count = 0;
    const from = z * height * width;
    for (let i = from; i < from + height * width; i += 1) if (mask[i]) count += 1;
    counts[z] = count;
  }
  return counts;
}
