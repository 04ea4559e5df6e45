/**
 * Why a segmentation data set cannot be ingested. Every kind names the file or folder at fault as a path inside the
 * uploaded directory or zip (`masks/case-3.nii.gz`), and the message starts with it. Errors the medical readers raise
 * (NIfTI, DICOM, TIFF/PNG, de-identification) become `InvalidFile`, keeping the reader's kind and the header field or
 * DICOM tag at fault.
 */
export type SegmentationIngestErrorDetail =
  | { readonly kind: 'NoCases'; readonly file: string; readonly found: readonly string[] }
  | { readonly kind: 'MixedLayout'; readonly file: string; readonly reason: string }
  | { readonly kind: 'DuplicateCase'; readonly file: string; readonly id: string; readonly otherFile: string }
  | { readonly kind: 'UnmatchedMasks'; readonly file: string; readonly masks: readonly string[] }
  | {
      readonly kind: 'MaskShapeMismatch';
      readonly file: string;
      readonly imageFile: string;
      readonly maskFile: string;
      /** Shapes as the readers report them: width x height for slices, [nx, ny, nz] for volumes. */
      readonly imageShape: readonly number[];
      readonly maskShape: readonly number[];
    }
  | {
      readonly kind: 'InvalidFile';
      readonly file: string;
      /** The reader's error kind (`GunzipFailed`, `Truncated`, `MixedSeriesGeometry`, `UndecodableImage`...). */
      readonly readerKind: string;
      /** The NIfTI header field or DICOM tag at fault, when the reader names one. */
      readonly field: string | undefined;
      readonly reason: string;
    }
  | { readonly kind: 'SeriesCount'; readonly file: string; readonly series: number }
  | { readonly kind: 'UnsafeZipPath'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnreadableSource'; readonly file: string; readonly reason: string }
  | { readonly kind: 'InvalidIngestOptions'; readonly file: string; readonly reason: string };

/** Thrown by segmentation ingestion; branch on `kind`. Store failures surface as ObjectStoreError. */
export type SegmentationIngestError = Error & { readonly name: 'SegmentationIngestError' } & SegmentationIngestErrorDetail;

function describe(detail: SegmentationIngestErrorDetail): string {
  switch (detail.kind) {
    case 'NoCases':
      return `${detail.file}: no images found (found ${detail.found.length === 0 ? 'nothing' : detail.found.slice(0, 10).join(', ')}); expected images/ (or 2d_images/) holding PNG or TIFF slices, NIfTI volumes or one folder of DICOM files per case, with masks/ (or 2d_masks/) beside it`;
    case 'MixedLayout':
      return `${detail.file}: ${detail.reason}`;
    case 'DuplicateCase':
      return `${detail.file}: case id '${detail.id}' is also the id of ${detail.otherFile}`;
    case 'UnmatchedMasks':
      return `${detail.file}: ${detail.masks.length} mask(s) without an image: ${detail.masks.slice(0, 10).join(', ')}${detail.masks.length > 10 ? ` and ${detail.masks.length - 10} more` : ''}`;
    case 'MaskShapeMismatch':
      return `${detail.maskFile}: mask shape [${detail.maskShape.join(', ')}] differs from its image ${detail.imageFile} shape [${detail.imageShape.join(', ')}]`;
    case 'InvalidFile':
      return `${detail.file}: ${detail.reason}`;
    case 'SeriesCount':
      return `${detail.file}: a case folder must hold one DICOM series, this one holds ${detail.series}`;
    case 'UnsafeZipPath':
      return `${detail.file}: zip entry path escapes the archive root (${detail.reason})`;
    case 'UnreadableSource':
      return `${detail.file}: ${detail.reason}`;
    case 'InvalidIngestOptions':
      return `${detail.file}: ${detail.reason}`;
  }
}

export function segmentationIngestError(detail: SegmentationIngestErrorDetail, cause?: unknown): SegmentationIngestError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'SegmentationIngestError';
  return Object.assign(error, detail) as SegmentationIngestError;
}

export function isSegmentationIngestError(error: unknown): error is SegmentationIngestError {
  return error instanceof Error && error.name === 'SegmentationIngestError' && 'kind' in error;
}

const READER_ERRORS = new Set(['SliceError', 'NiftiError', 'DicomError', 'DeidentifyError']);

/**
 * A medical reader's error (SliceError, NiftiError, DicomError, DeidentifyError: branched on by name and kind, not
 * instanceof) as `InvalidFile` naming `file`; the reader's message already starts with the file it was given, which
 * is the source path, so the prefix is dropped from `reason`. Anything else is returned as is.
 */
export function asSegmentationIngestError(error: unknown, file: string): unknown {
  if (isSegmentationIngestError(error)) return error;
  if (!(error instanceof Error) || !READER_ERRORS.has(error.name) || !('kind' in error)) return error;
  const reader = error as Error & { kind: string; file?: string; tag?: string; field?: string };
  const at = typeof reader.file === 'string' && reader.file !== '' ? reader.file : file;
  const reason = error.message.startsWith(`${at}: `) ? error.message.slice(at.length + 2) : error.message;
  if (reader.kind === 'PairShapeMismatch' || reader.kind === 'MaskShapeMismatch') {
    const { imageFile, maskFile, imageShape, maskShape } = error as unknown as { imageFile: string; maskFile: string; imageShape: readonly number[]; maskShape: readonly number[] };
    return segmentationIngestError({ kind: 'MaskShapeMismatch', file: maskFile, imageFile, maskFile, imageShape, maskShape }, error);
  }
  return segmentationIngestError({ kind: 'InvalidFile', file: at, readerKind: reader.kind, field: reader.tag ?? reader.field, reason }, error);
}
