/**
 * How the pixel data of each transfer syntax this reader decodes is stored. Anything not listed (JPEG baseline and
 * extended, JPEG-XL, HTJ2K, MPEG, deflate) is refused with an UnsupportedTransferSyntax error naming the UID.
 */
export type PixelEncoding =
  | { readonly kind: 'native'; readonly littleEndian: boolean }
  | { readonly kind: 'rle' }
  | { readonly kind: 'jpeg-lossless' }
  | { readonly kind: 'jpeg-ls' }
  | { readonly kind: 'jpeg2000' };

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  readonly encoding: PixelEncoding;
  /** False only for near-lossless JPEG-LS and JPEG 2000 (.4.91), which may be lossy. */
  readonly lossless: boolean;
}

const SYNTAXES: readonly TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: { kind: 'native', littleEndian: true }, lossless: true },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: { kind: 'native', littleEndian: true }, lossless: true },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: { kind: 'native', littleEndian: false }, lossless: true },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Process 14', encoding: { kind: 'jpeg-lossless' }, lossless: true },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Process 14 SV1', encoding: { kind: 'jpeg-lossless' }, lossless: true },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: { kind: 'jpeg-ls' }, lossless: true },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: { kind: 'jpeg-ls' }, lossless: false },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless Only', encoding: { kind: 'jpeg2000' }, lossless: true },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: { kind: 'jpeg2000' }, lossless: false },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: { kind: 'rle' }, lossless: true },
];

const BY_UID = new Map(SYNTAXES.map((syntax) => [syntax.uid, syntax]));

/** The transfer syntax for `uid`, or undefined when this reader cannot decode its pixel data. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/** Every transfer syntax UID the reader decodes, in the order above. */
export const SUPPORTED_TRANSFER_SYNTAX_UIDS: readonly string[] = SYNTAXES.map((syntax) => syntax.uid);
