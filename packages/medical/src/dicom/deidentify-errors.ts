/**
 * Why a file cannot be de-identified. Each kind names the file as the caller passed it; none carries a value read
 * from the file other than UIDs of transfer syntaxes and SOP classes, which identify no one.
 */
export type DeidentifyErrorDetail =
  | { readonly kind: 'NotDicom'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnreadableDicom'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnsupportedTransferSyntax'; readonly file: string; readonly transferSyntaxUid: string }
  | { readonly kind: 'DicomDirectory'; readonly file: string }
  | { readonly kind: 'PixelDataNotLast'; readonly file: string; readonly tag: string }
  | { readonly kind: 'WriteFailed'; readonly file: string; readonly reason: string };

/** Thrown by the de-identifier; branch on `kind`. The message starts with the file. */
export type DeidentifyError = Error & { readonly name: 'DeidentifyError' } & DeidentifyErrorDetail;

function describe(detail: DeidentifyErrorDetail): string {
  switch (detail.kind) {
    case 'NotDicom':
      return `${detail.file}: not a DICOM Part 10 file (${detail.reason})`;
    case 'UnreadableDicom':
      return `${detail.file}: cannot parse DICOM for de-identification (${detail.reason})`;
    case 'UnsupportedTransferSyntax':
      return `${detail.file}: transfer syntax ${detail.transferSyntaxUid} in (0002,0010) TransferSyntaxUID cannot be de-identified (only little-endian, not deflated)`;
    case 'DicomDirectory':
      return `${detail.file}: a DICOMDIR (media storage directory) lists patients by name; it is not ingested, the images it lists are`;
    case 'PixelDataNotLast':
      return `${detail.file}: ${detail.tag} follows (7FE0,0010) PixelData; pixel data must be the last top-level attribute the profile keeps`;
    case 'WriteFailed':
      return `${detail.file}: cannot write the de-identified file (${detail.reason})`;
  }
}

export function deidentifyError(detail: DeidentifyErrorDetail, cause?: unknown): DeidentifyError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'DeidentifyError';
  return Object.assign(error, detail) as DeidentifyError;
}

export function isDeidentifyError(error: unknown): error is DeidentifyError {
  return error instanceof Error && error.name === 'DeidentifyError' && 'kind' in error;
}
