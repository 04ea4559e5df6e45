import * as tf from '@tensorflow/tfjs-core';
import { extremes } from '../data/intensity.ts';
import { extractPatch } from '../data/patch-sampler.ts';
import type { PatchOrigin } from '../data/patch-sampler.ts';
import type { VolumeShape } from '../data/segmentation-shard-format.ts';
import { voxelCount } from '../data/segmentation-shard-format.ts';
import { yieldToEventLoop } from '../time/yield-to-event-loop.ts';

export interface SlidingWindowOptions {
  /** The model's patch [depth, height, width]. */
  readonly patch: VolumeShape;
  /** Share of a patch neighbouring windows overlap along each axis, in [0, 1) (the spec's `predictionOverlap`). */
  readonly overlap: number;
  /** Patches per forward pass: bounds memory, not results. */
  readonly batchSize: number;
}

/**
 * Window corners along one axis of side `size` for windows of side `patch`: every `stride = max(1, floor(patch ·
 * (1 - overlap)))` voxels from 0, plus one flush with the end so the last voxels are covered; a single centred
 * window (padded) when the side is at most the patch.
 */
export function windowOrigins(size: number, patch: number, overlap: number): number[] {
  if (size <= patch) return [Math.floor((size - patch) / 2)];
  const stride = Math.max(1, Math.floor(patch * (1 - overlap)));
  const origins: number[] = [];
  for (let o = 0; o + patch < size; o += stride) origins.push(o);
  origins.push(size - patch);
  return origins;
}

/**
 * Predicts a whole [depth, height, width] volume (already through the job's intensity step) patch by patch: windows
 * overlapping by `overlap` (see {@link windowOrigins}), padded with the volume's minimum where the volume is smaller
 * than a patch, and each voxel's probabilities averaged over the windows that cover it (overlap smooths the seams
 * between patches). `predict` maps [n, d, h, w, 1] patches to [n, d, h, w, c] probabilities (a model's `predict`).
 * Returns depth x height x width x c probabilities, channels last (c = 1: the volume's shape). Costs one forward
 * pass per window: about (1 / (1 - overlap))³ times the volume's patches, and yields to the event loop between passes.
 */
export async function predictSlidingWindow(
  predict: (patches: tf.Tensor5D) => tf.Tensor,
  image: Float32Array,
  shape: VolumeShape,
  options: SlidingWindowOptions,
): Promise<Float32Array> {
  const { patch, overlap, batchSize } = options;
  if (image.length !== voxelCount(shape)) throw new RangeError(`volume holds ${image.length} voxels, its shape [${shape.join(', ')}] ${voxelCount(shape)}`);
  if (!(overlap >= 0 && overlap < 1)) throw new RangeError(`overlap must be in [0, 1), got ${overlap}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize ${batchSize} is not a positive integer`);
  const [depth, height, width] = shape;
  const [pd, ph, pw] = patch;
  const windows: PatchOrigin[] = [];
  for (const z of windowOrigins(depth, pd, overlap)) {
    for (const y of windowOrigins(height, ph, overlap)) {
      for (const x of windowOrigins(width, pw, overlap)) windows.push([z, y, x]);
    }
  }
  const fill = extremes(image).min;
  const perPatch = voxelCount(patch);
  const counts = new Uint32Array(voxelCount(shape));
  let sums: Float32Array | undefined;
  let channels = 0;
  for (let start = 0; start < windows.length; start += batchSize) {
    // A volume takes many passes: let timers and sockets run between them (see yield-to-event-loop.ts).
    if (start > 0) await yieldToEventLoop();
    const batch = windows.slice(start, start + batchSize);
    const x = new Float32Array(batch.length * perPatch);
    batch.forEach((origin, i) => extractPatch(image, shape, origin, patch, fill, x.subarray(i * perPatch, (i + 1) * perPatch)));
    const input = tf.tensor5d(x, [batch.length, pd, ph, pw, 1]);
    const output = predict(input);
    const probabilities = await output.data<'float32'>();
    tf.dispose([input, output]);
    channels = output.shape[output.rank - 1] ?? 1;
    if (probabilities.length !== batch.length * perPatch * channels) {
      throw new RangeError(`the model returned [${output.shape.join(', ')}] for ${batch.length} patches of [${patch.join(', ')}]`);
    }
    sums ??= new Float32Array(voxelCount(shape) * channels);
    for (const [i, [oz, oy, ox]] of batch.entries()) {
      for (let z = Math.max(0, -oz); z < pd && oz + z < depth; z++) {
        for (let y = Math.max(0, -oy); y < ph && oy + y < height; y++) {
          const from = ((i * pd + z) * ph + y) * pw;
          const to = ((oz + z) * height + (oy + y)) * width + ox;
          for (let xi = Math.max(0, -ox); xi < pw && ox + xi < width; xi++) {
            counts[to + xi]! += 1;
            for (let c = 0; c < channels; c++) sums[(to + xi) * channels + c]! += probabilities[(from + xi) * channels + c]!;
          }
        }
      }
    }
  }
  const out = sums ?? new Float32Array(0);
  for (let v = 0; v < counts.length; v++) {
    const n = counts[v] as number;
    for (let c = 0; c < channels; c++) out[v * channels + c] = (out[v * channels + c] as number) / n;
  }
  return out;
}
