import type { SegmentationPredictionSpec } from '../jobs/job-spec.ts';

/**
 * Where a segmentation-prediction job leaves its outputs, under one prefix (`output.prefix`, else
 * `jobs/<job id>/predictions`):
 *
 *   <prefix>/masks/<case>.nii.gz    the predicted mask (uint8 labels) in the case's stored grid and affine
 *   <prefix>/overlays/<case>.png    the image as the job saw it, the predicted mask and the true mask's outline
 *   <prefix>/seg/<case>.dcm         cases of a DICOM data set: the mask as a DICOM Segmentation over the stored
 *                                   (de-identified) source series, frames in the series' own slice and pixel order
 *   <prefix>/summary.json           Dice and IoU per case and their means (see segmentation-summary.ts)
 *
 * The coordinator (the job's result key), the worker (the writer) and clients (the viewer) all take the keys from here.
 */

/** The prefix of a segmentation-prediction job's outputs when its spec names none. */
export function defaultSegmentationPredictionPrefix(jobId: string): string {
  return `jobs/${jobId}/predictions`;
}

/** The prefix of a segmentation-prediction job's outputs: `output.prefix`, else `jobs/<jobId>/predictions`. */
export function segmentationPredictionPrefix(spec: Pick<SegmentationPredictionSpec, 'output'>, jobId: string): string {
  return spec.output.prefix ?? defaultSegmentationPredictionPrefix(jobId);
}

/** The job's result file: what `tessera result` and ReadJobResult return once it SUCCEEDED. */
export function segmentationSummaryKey(prefix: string): string {
  return `${prefix}/summary.json`;
}

/**
 * A case id as an object name: letters, digits, `.`, `_` and `-` kept, anything else `_`. Case ids are file or folder
 * base names (`MCUCXR_0001_0`), so this almost never changes one; two ids that it would make equal fail the job.
 */
export function caseFileStem(id: string): string {
  const stem = id.replace(/[^A-Za-z0-9._-]/g, '_');
  // A stem of dots alone would be a '.' or '..' key segment.
  return /^\.+$/.test(stem) ? stem.replace(/\./g, '_') : stem;
}

export function segmentationMaskKey(prefix: string, caseId: string): string {
  return `${prefix}/masks/${caseFileStem(caseId)}.nii.gz`;
}

export function segmentationOverlayKey(prefix: string, caseId: string): string {
  return `${prefix}/overlays/${caseFileStem(caseId)}.png`;
}

export function segmentationDicomSegKey(prefix: string, caseId: string): string {
  return `${prefix}/seg/${caseFileStem(caseId)}.dcm`;
}
