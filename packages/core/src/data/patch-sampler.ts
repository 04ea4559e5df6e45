import type { SeededRandom } from '../random/seeded-random.ts';
import type { VolumeShape } from './segmentation-shard-format.ts';
import { voxelCount } from './segmentation-shard-format.ts';

/**
 * Patches of a 3D segmentation job: the model takes [d, h, w] patches, volumes are larger (a CT is 512x512x300), so
 * each epoch draws patches from each training volume, a share of them centred on a foreground voxel (lungs, a brain:
 * uniform placement alone would mostly show background). Whole volumes are predicted patch by patch
 * (prediction/sliding-window.ts).
 */

/** Corner of a patch in voxels (depth, height, width); negative where the volume is smaller than the patch. */
export type PatchOrigin = readonly [number, number, number];

/** Indices of the voxels with a non-zero label, for foreground-centred patches (4 bytes per foreground voxel). */
export function foregroundIndices(mask: Uint8Array | undefined): Int32Array {
  if (mask === undefined) return new Int32Array(0);
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] !== 0) out[k++] = i;
  return out;
}

/**
 * Where a patch of side `patch` goes along an axis of side `size` to hold voxel `centre` as near its middle as the
 * volume allows: inside the volume when it is at least the patch, else centred on the volume (padded both sides).
 */
function originAround(centre: number, size: number, patch: number): number {
  if (size <= patch) return Math.floor((size - patch) / 2);
  return Math.min(size - patch, Math.max(0, centre - Math.floor(patch / 2)));
}

/**
 * `count` patch origins in a volume: each is centred on a random foreground voxel with probability
 * `foregroundFraction` (when the volume has any), else placed uniformly among the positions that keep the patch
 * inside the volume. Consumes exactly five numbers per patch, so the draws do not depend on the mask.
 */
export function drawPatchOrigins(
  shape: VolumeShape,
  patch: VolumeShape,
  count: number,
  foregroundFraction: number,
  foreground: Int32Array,
  random: SeededRandom,
): PatchOrigin[] {
  const [, height, width] = shape;
  const origins: PatchOrigin[] = [];
  for (let n = 0; n < count; n++) {
    const [choice, pick, uz, uy, ux] = [random.next(), random.next(), random.next(), random.next(), random.next()];
    if (choice < foregroundFraction && foreground.length > 0) {
      const index = foreground[Math.min(foreground.length - 1, Math.floor(pick * foreground.length))] as number;
      const centre = [Math.floor(index / (height * width)), Math.floor(index / width) % height, index % width];
      origins.push([0, 1, 2].map((axis) => originAround(centre[axis] as number, shape[axis] as number, patch[axis] as number)) as unknown as PatchOrigin);
    } else {
      origins.push(
        [uz, uy, ux].map((u, axis) => {
          const size = shape[axis] as number;
          const side = patch[axis] as number;
          return size <= side ? Math.floor((size - side) / 2) : Math.floor(u * (size - side + 1));
        }) as unknown as PatchOrigin,
      );
    }
  }
  return origins;
}

/**
 * Copies the [d, h, w] patch at `origin` out of a row-major volume; voxels outside the volume take `fill` (the
 * volume's minimum, so padding reads as background) in `out`. Returns `out`.
 */
export function extractPatch<T extends Float32Array | Uint8Array>(
  volume: T,
  shape: VolumeShape,
  origin: PatchOrigin,
  patch: VolumeShape,
  fill: number,
  out: T,
): T {
  const [depth, height, width] = shape;
  const [pd, ph, pw] = patch;
  const [oz, oy, ox] = origin;
  if (out.length !== voxelCount(patch)) throw new RangeError(`patch buffer holds ${out.length} voxels, the patch [${patch.join(', ')}] ${voxelCount(patch)}`);
  const x0 = Math.max(0, -ox);
  const x1 = Math.min(pw, width - ox);
  for (let z = 0; z < pd; z++) {
    const vz = oz + z;
    for (let y = 0; y < ph; y++) {
      const vy = oy + y;
      const row = (z * ph + y) * pw;
      if (vz < 0 || vz >= depth || vy < 0 || vy >= height || x1 <= x0) {
        out.fill(fill, row, row + pw);
        continue;
      }
      if (x0 > 0) out.fill(fill, row, row + x0);
      const from = (vz * height + vy) * width + ox;
      out.set(volume.subarray(from + x0, from + x1), row + x0);
      if (x1 < pw) out.fill(fill, row + x1, row + pw);
    }
  }
  return out;
}
