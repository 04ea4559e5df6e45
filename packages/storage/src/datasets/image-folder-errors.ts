/**
 * Why an image-folder data set cannot be ingested. Every kind names the file or folder at fault (a path relative to
 * the data set's root, `train/dogs/dog.17.jpg`), and the message starts with it.
 */
export type ImageFolderErrorDetail =
  | { readonly kind: 'NoTrainFolder'; readonly file: string; readonly found: readonly string[] }
  | { readonly kind: 'EmptyClassFolder'; readonly file: string }
  | { readonly kind: 'SingleClass'; readonly file: string; readonly className: string }
  | { readonly kind: 'UnknownClass'; readonly file: string; readonly className: string }
  | { readonly kind: 'UndecodableImage'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnsafeZipPath'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnreadableSource'; readonly file: string; readonly reason: string }
  | { readonly kind: 'InvalidIngestOptions'; readonly file: string; readonly reason: string };

/** Thrown by image-folder ingestion; branch on `kind`. Store failures surface as ObjectStoreError. */
export type ImageFolderError = Error & { readonly name: 'ImageFolderError' } & ImageFolderErrorDetail;

function describe(detail: ImageFolderErrorDetail): string {
  switch (detail.kind) {
    case 'NoTrainFolder':
      return `${detail.file}: no train/ folder (found ${detail.found.length === 0 ? 'nothing' : detail.found.join(', ')}); expected train/<class>/<image> and optionally valid/<class>/<image>, or images to predict (test/<image> or a flat folder of images)`;
    case 'EmptyClassFolder':
      return `${detail.file}: empty class folder (no images)`;
    case 'SingleClass':
      return `${detail.file}: only one class ('${detail.className}'); a classifier needs at least two class folders`;
    case 'UnknownClass':
      return `${detail.file}: class '${detail.className}' is not one of the train/ classes`;
    case 'UndecodableImage':
      return `${detail.file}: not a decodable image (${detail.reason})`;
    case 'UnsafeZipPath':
      return `${detail.file}: zip entry path escapes the archive root (${detail.reason})`;
    case 'UnreadableSource':
      return `${detail.file}: ${detail.reason}`;
    case 'InvalidIngestOptions':
      return `${detail.file}: ${detail.reason}`;
  }
}

export function imageFolderError(detail: ImageFolderErrorDetail, cause?: unknown): ImageFolderError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'ImageFolderError';
  return Object.assign(error, detail) as ImageFolderError;
}

export function isImageFolderError(error: unknown): error is ImageFolderError {
  return error instanceof Error && error.name === 'ImageFolderError' && 'kind' in error;
}
