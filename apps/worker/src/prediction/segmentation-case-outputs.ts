import { extremes } from '@tessera/core/data/intensity';
import type { IntensitySpec } from '@tessera/core/jobs/segmentation-spec';
import { segmentationMaskKey, segmentationOverlayKey } from '@tessera/core/prediction/segmentation-outputs';
import type { PredictedCase } from '@tessera/core/prediction/segmentation-predictor';
import { encodeVolumeMaskNiftiGz } from '@tessera/medical/nifti/volume-mask-nifti';
import { renderOverlayPng } from '@tessera/medical/overlays/mask-overlay';
import type { SegmentationCase } from '@tessera/storage/datasets/segmentation-manifest';
import type { ObjectStore } from '@tessera/storage/object-store';

/**
 * The image of an overlay: the network's input, which `window`, `range` and `minmax` already put in [0, 1]; a
 * `zscore` input (unbounded) is stretched from its own minimum to maximum.
 */
export function overlayGrey(input: Float32Array, intensity: IntensitySpec): Float32Array {
  if (intensity.kind !== 'zscore') return input;
  const { min, max } = extremes(input);
  if (!(max > min)) return new Float32Array(input.length);
  const scale = 1 / (max - min);
  return Float32Array.from(input, (v) => (v - min) * scale);
}

/**
 * Writes one predicted case's mask (`<prefix>/masks/<id>.nii.gz`, on the case's stored grid with its manifest affine)
 * and overlay (`<prefix>/overlays/<id>.png`, see renderOverlayPng); returns the keys. Costs one gzip and one PNG
 * encode, both off the main thread, and two object writes.
 */
export async function writeCaseOutputs(
  objects: ObjectStore,
  prefix: string,
  predicted: PredictedCase,
  stored: Pick<SegmentationCase, 'affine'>,
  intensity: IntensitySpec,
): Promise<{ maskKey: string; overlayKey: string }> {
  const { sample, labels } = predicted;
  const maskKey = segmentationMaskKey(prefix, sample.id);
  const overlayKey = segmentationOverlayKey(prefix, sample.id);
  const [nifti, overlay] = await Promise.all([
    encodeVolumeMaskNiftiGz(labels, sample.shape, stored.affine),
    renderOverlayPng({ shape: sample.shape, grey: overlayGrey(predicted.input, intensity), predicted: labels, truth: sample.mask }),
  ]);
  await Promise.all([objects.put(maskKey, nifti), objects.put(overlayKey, overlay.png)]);
  return { maskKey, overlayKey };
}
