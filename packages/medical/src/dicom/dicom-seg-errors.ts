/** Why a DICOM Segmentation cannot be written for a series. Each kind names the source file or option at fault. */
export type DicomSegErrorDetail =
  | { readonly kind: 'NoSources'; readonly file: string }
  | { readonly kind: 'UnreadableSource'; readonly file: string; readonly reason: string }
  | { readonly kind: 'MissingSourceAttribute'; readonly file: string; readonly tag: string }
  | { readonly kind: 'MixedSources'; readonly file: string; readonly tag: string; readonly reason: string }
  | { readonly kind: 'MultiFrameSource'; readonly file: string; readonly frames: number }
  | { readonly kind: 'LabelsShape'; readonly file: string; readonly expected: number; readonly actual: number }
  | { readonly kind: 'InvalidSegments'; readonly file: string; readonly reason: string };

/** Thrown by encodeDicomSeg; branch on `kind`. The message starts with the file (or `segments` / `labels`). */
export type DicomSegError = Error & { readonly name: 'DicomSegError' } & DicomSegErrorDetail;

function describe(detail: DicomSegErrorDetail): string {
  switch (detail.kind) {
    case 'NoSources':
      return `${detail.file}: a segmentation needs at least one source image`;
    case 'UnreadableSource':
      return `${detail.file}: cannot read the source image (${detail.reason})`;
    case 'MissingSourceAttribute':
      return `${detail.file}: ${detail.tag} is missing; a segmentation frame needs it to be placed in the patient`;
    case 'MixedSources':
      return `${detail.file}: ${detail.tag} ${detail.reason}`;
    case 'MultiFrameSource':
      return `${detail.file}: holds ${detail.frames} frames; segmentations are written for series of single-frame images only`;
    case 'LabelsShape':
      return `${detail.file}: ${detail.actual} label values for ${detail.expected} source pixels (slices x rows x columns)`;
    case 'InvalidSegments':
      return `${detail.file}: ${detail.reason}`;
  }
}

export function dicomSegError(detail: DicomSegErrorDetail, cause?: unknown): DicomSegError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'DicomSegError';
  return Object.assign(error, detail) as DicomSegError;
}

export function isDicomSegError(error: unknown): error is DicomSegError {
  return error instanceof Error && error.name === 'DicomSegError' && 'kind' in error;
}
