/**
 * Why a DICOM file or series cannot be read. Every kind names the file at fault (as the caller passed it) and, where
 * one is to blame, the tag as `(GGGG,EEEE) Keyword`; the message starts with the file.
 */
export type DicomErrorDetail =
  | { readonly kind: 'NotDicom'; readonly file: string; readonly reason: string }
  | { readonly kind: 'Truncated'; readonly file: string; readonly tag: string; readonly reason: string }
  | { readonly kind: 'MalformedDicom'; readonly file: string; readonly reason: string }
  | { readonly kind: 'MissingTag'; readonly file: string; readonly tag: string }
  | { readonly kind: 'InvalidTagValue'; readonly file: string; readonly tag: string; readonly reason: string }
  | { readonly kind: 'MissingPixelData'; readonly file: string; readonly tag: string }
  | { readonly kind: 'UnsupportedTransferSyntax'; readonly file: string; readonly tag: string; readonly transferSyntaxUid: string }
  | { readonly kind: 'PixelDecodeFailed'; readonly file: string; readonly tag: string; readonly transferSyntaxUid: string; readonly reason: string }
  | {
      readonly kind: 'MixedSeriesGeometry';
      readonly file: string;
      readonly otherFile: string;
      readonly tag: string;
      readonly reason: string;
    }
  | { readonly kind: 'EmptySeries'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnreadableFile'; readonly file: string; readonly reason: string };

/** Thrown by the DICOM reader; branch on `kind`. */
export type DicomError = Error & { readonly name: 'DicomError' } & DicomErrorDetail;

function describe(detail: DicomErrorDetail): string {
  switch (detail.kind) {
    case 'NotDicom':
      return `${detail.file}: not a DICOM Part 10 file (${detail.reason})`;
    case 'Truncated':
      return `${detail.file}: truncated at ${detail.tag} (${detail.reason})`;
    case 'MalformedDicom':
      return `${detail.file}: malformed DICOM (${detail.reason})`;
    case 'MissingTag':
      return `${detail.file}: required tag ${detail.tag} is missing`;
    case 'InvalidTagValue':
      return `${detail.file}: invalid ${detail.tag} (${detail.reason})`;
    case 'MissingPixelData':
      return `${detail.file}: no pixel data ${detail.tag}`;
    case 'UnsupportedTransferSyntax':
      return `${detail.file}: unsupported transfer syntax ${detail.transferSyntaxUid} in ${detail.tag}`;
    case 'PixelDecodeFailed':
      return `${detail.file}: cannot decode ${detail.tag} with transfer syntax ${detail.transferSyntaxUid} (${detail.reason})`;
    case 'MixedSeriesGeometry':
      return `${detail.file}: ${detail.tag} differs from ${detail.otherFile} in the same series (${detail.reason})`;
    case 'EmptySeries':
      return `${detail.file}: ${detail.reason}`;
    case 'UnreadableFile':
      return `${detail.file}: cannot read (${detail.reason})`;
  }
}

export function dicomError(detail: DicomErrorDetail, cause?: unknown): DicomError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'DicomError';
  return Object.assign(error, detail) as DicomError;
}

export function isDicomError(error: unknown): error is DicomError {
  return error instanceof Error && error.name === 'DicomError' && 'kind' in error;
}
