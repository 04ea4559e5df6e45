import sharp from 'sharp';
import { toGray } from './gray-slice.ts';
import type { GraySlice } from './gray-slice.ts';
import { sliceError } from './slice-errors.ts';

/**
 * Decodes a PNG (or any other format libvips reads, JPEG included) at its own size to one grey value per pixel:
 * grey PNGs keep their values (8- or 16-bit), RGB ones become BT.601 luma, alpha is dropped. Truncated files fail
 * rather than decode partly.
 */
export async function decodePngSlice(bytes: Uint8Array, file: string): Promise<GraySlice> {
  try {
    const input = sharp(bytes, { failOn: 'truncated' });
    const meta = await input.metadata();
    const wide = meta.depth === 'ushort';
    // libvips hands grey images out as sRGB unless told otherwise; take the grey channel itself, exact.
    // (extractChannel would drop 16-bit samples to 8 bits; measured with sharp 0.35.5).
    const grey = (meta.channels ?? 3) <= 2 ? input.toColourspace(wide ? 'grey16' : 'b-w') : input;
    const { data, info } = await grey.raw(wide ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
    const samples = wide ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
    const pixels = info.width * info.height;
    const gray = toGray(samples, pixels, info.channels);
    return { file, width: info.width, height: info.height, data: gray.data, bitsPerSample: wide ? 16 : 8, samplesPerPixel: info.channels, conversion: gray.conversion };
  } catch (error) {
    const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim());
    throw sliceError({ kind: 'UndecodableImage', file, reason: [...new Set(lines.filter(Boolean))].join('; ') }, error);
  }
}
