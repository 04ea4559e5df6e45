/**
 * Why a NIfTI file cannot be read, or a mask cannot be used with its image. Every kind names the file and the header
 * field at fault, and the message starts with the file.
 */
export type NiftiErrorDetail =
  | { readonly kind: 'UnreadableFile'; readonly file: string; readonly reason: string }
  | { readonly kind: 'GunzipFailed'; readonly file: string; readonly reason: string }
  | { readonly kind: 'BadHeader'; readonly file: string; readonly field: string; readonly reason: string }
  | { readonly kind: 'UnsupportedDatatype'; readonly file: string; readonly field: 'datatype'; readonly datatype: number; readonly reason: string }
  | {
      readonly kind: 'TruncatedData';
      readonly file: string;
      readonly field: 'dim';
      readonly expectedBytes: number;
      readonly actualBytes: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'MaskShapeMismatch';
      readonly file: string;
      readonly field: 'dim';
      readonly imageFile: string;
      readonly maskFile: string;
      readonly imageShape: readonly number[];
      readonly maskShape: readonly number[];
    }
  | {
      readonly kind: 'MaskAffineMismatch';
      readonly file: string;
      readonly field: 'affine';
      readonly imageFile: string;
      readonly maskFile: string;
      readonly maxDifferenceMm: number;
    };

/** Thrown by the NIfTI reader, writer and mask check; branch on `kind`. */
export type NiftiError = Error & { readonly name: 'NiftiError' } & NiftiErrorDetail;

function describe(detail: NiftiErrorDetail): string {
  switch (detail.kind) {
    case 'UnreadableFile':
      return `${detail.file}: cannot read file (${detail.reason})`;
    case 'GunzipFailed':
      return `${detail.file}: gzip stream is corrupt or truncated (${detail.reason})`;
    case 'BadHeader':
      return `${detail.file}: bad NIfTI header field ${detail.field}: ${detail.reason}`;
    case 'UnsupportedDatatype':
      return `${detail.file}: header field datatype ${detail.datatype} is not supported: ${detail.reason}`;
    case 'TruncatedData':
      return `${detail.file}: voxel data shorter than header fields dim x bitpix say: ${detail.reason}`;
    case 'MaskShapeMismatch':
      return `${detail.maskFile}: mask shape [${detail.maskShape.join(', ')}] (header field dim) differs from image ${detail.imageFile} shape [${detail.imageShape.join(', ')}]`;
    case 'MaskAffineMismatch':
      return `${detail.maskFile}: mask affine differs from image ${detail.imageFile} affine by up to ${detail.maxDifferenceMm.toPrecision(3)} mm (header fields sform/qform)`;
  }
}

export function niftiError(detail: NiftiErrorDetail, cause?: unknown): NiftiError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'NiftiError';
  return Object.assign(error, detail) as NiftiError;
}

export function isNiftiError(error: unknown): error is NiftiError {
  return error instanceof Error && error.name === 'NiftiError' && 'kind' in error;
}
