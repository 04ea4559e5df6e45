import { windowPresets } from '../jobs/segmentation-spec.ts';
import type { IntensitySpec } from '../jobs/segmentation-spec.ts';

/**
 * A segmentation job's intensity step (`data.intensity`): stored voxels in source units (Hounsfield units, grey
 * levels) to the network's input, in a new array. Applied by the worker to each whole sample before patches are
 * cut or augmentation runs, so per-sample statistics (`minmax`, `zscore`) are those of the case, not of a patch.
 *
 * - `window`: [centre - width/2, centre + width/2] (a preset from `windowPresets` or explicit) linearly to [0, 1],
 *   clipped;
 * - `range`: [min, max] linearly to [0, 1], clipped;
 * - `minmax`: the sample's own minimum and maximum to [0, 1] (a constant sample becomes all 0);
 * - `zscore`: (v - mean) / std with mean and std over the voxels above `threshold` (default: the sample's minimum,
 *   so an MRI's zero background is left out); the same map applies to every voxel, so the background stays the
 *   lowest value. No voxel above the threshold (or std 0): the statistics of all voxels, then std 1.
 *
 * One pass (two for minmax and zscore) over the voxels; NaN stays NaN.
 */
export function applyIntensity(image: Float32Array, spec: IntensitySpec): Float32Array {
  switch (spec.kind) {
    case 'window': {
      const preset = spec.preset === undefined ? undefined : windowPresets[spec.preset];
      const center = preset?.center ?? spec.center;
      const width = preset?.width ?? spec.width;
      if (center === undefined || width === undefined || !(width > 0)) {
        throw new RangeError('intensity window needs a preset, or center and a positive width');
      }
      return linearToUnit(image, center - width / 2, center + width / 2);
    }
    case 'range':
      if (!(spec.max > spec.min)) throw new RangeError(`intensity range max ${spec.max} must exceed min ${spec.min}`);
      return linearToUnit(image, spec.min, spec.max);
    case 'minmax': {
      const { min, max } = extremes(image);
      if (!(max > min)) return new Float32Array(image.length);
      return linearToUnit(image, min, max);
    }
    case 'zscore':
      return zscore(image, spec.threshold ?? extremes(image).min);
  }
}

/** Smallest and largest finite voxel (0 and 0 for an empty or all-NaN image). */
export function extremes(image: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < image.length; i++) {
    const v = image[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

function linearToUnit(image: Float32Array, lo: number, hi: number): Float32Array {
  const out = new Float32Array(image.length);
  const scale = 1 / (hi - lo);
  for (let i = 0; i < image.length; i++) {
    const v = ((image[i] as number) - lo) * scale;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

function zscore(image: Float32Array, threshold: number): Float32Array {
  const moments = (above: number | undefined) => {
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < image.length; i++) {
      const v = image[i] as number;
      if (above !== undefined && !(v > above)) continue;
      n++;
      sum += v;
      sumSq += v * v;
    }
    const mean = n === 0 ? 0 : sum / n;
    return { n, mean, std: n === 0 ? 0 : Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
  };
  let stats = moments(threshold);
  if (stats.n === 0 || !(stats.std > 0)) stats = moments(undefined);
  const std = stats.std > 0 ? stats.std : 1;
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = ((image[i] as number) - stats.mean) / std;
  return out;
}
