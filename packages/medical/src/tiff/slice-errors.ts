/**
 * Why a 2-D image or mask slice, or a folder of image/mask pairs, cannot be used. Every kind names the file or folder
 * at fault (and the TIFF tag where one is to blame); the message starts with it.
 */
export type SliceErrorDetail =
  | { readonly kind: 'UnreadableFile'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UndecodableImage'; readonly file: string; readonly reason: string }
  | { readonly kind: 'UnsupportedPixelFormat'; readonly file: string; readonly field: string; readonly value: string; readonly reason: string }
  | {
      readonly kind: 'PairShapeMismatch';
      readonly file: string;
      readonly imageFile: string;
      readonly maskFile: string;
      readonly imageShape: readonly [number, number];
      readonly maskShape: readonly [number, number];
    }
  | { readonly kind: 'NoPairFolders'; readonly file: string; readonly found: readonly string[] }
  | { readonly kind: 'UnmatchedFiles'; readonly file: string; readonly unmatchedImages: readonly string[]; readonly unmatchedMasks: readonly string[] };

/** Thrown by the slice readers and pair listing; branch on `kind`. */
export type SliceError = Error & { readonly name: 'SliceError' } & SliceErrorDetail;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

function describe(detail: SliceErrorDetail): string {
  switch (detail.kind) {
    case 'UnreadableFile':
      return `${detail.file}: cannot read file (${detail.reason})`;
    case 'UndecodableImage':
      return `${detail.file}: not a decodable image (${detail.reason})`;
    case 'UnsupportedPixelFormat':
      return `${detail.file}: unsupported ${detail.field} ${detail.value}: ${detail.reason}`;
    case 'PairShapeMismatch':
      return `${detail.maskFile}: mask is ${detail.maskShape.join('x')} (width x height) but its image ${detail.imageFile} is ${detail.imageShape.join('x')}`;
    case 'NoPairFolders':
      return `${detail.file}: no image and mask folders (expected images/ + masks/ or 2d_images/ + 2d_masks/; found ${detail.found.length === 0 ? 'nothing' : detail.found.join(', ')})`;
    case 'UnmatchedFiles': {
      const parts = [
        detail.unmatchedImages.length > 0 ? `${detail.unmatchedImages.length} image(s) without a mask: ${listed(detail.unmatchedImages)}` : '',
        detail.unmatchedMasks.length > 0 ? `${detail.unmatchedMasks.length} mask(s) without an image: ${listed(detail.unmatchedMasks)}` : '',
      ];
      return `${detail.file}: ${parts.filter(Boolean).join('; ')}`;
    }
  }
}

export function sliceError(detail: SliceErrorDetail, cause?: unknown): SliceError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'SliceError';
  return Object.assign(error, detail) as SliceError;
}

export function isSliceError(error: unknown): error is SliceError {
  return error instanceof Error && error.name === 'SliceError' && 'kind' in error;
}
