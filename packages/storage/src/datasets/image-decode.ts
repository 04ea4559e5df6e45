import sharp from 'sharp';
import { imageFolderError } from './image-folder-errors.ts';
import type { ImageFit } from './image-folder-manifest.ts';

const CHANNELS = 3;

/**
 * Decodes one image and resizes it to height x width RGB uint8 (alpha dropped, greyscale expanded, CMYK converted).
 * Truncated or undecodable files fail with `UndecodableImage` naming `entry.id`.
 */
export async function decodeImageEntry(
  bytes: Buffer,
  id: string,
  size: { readonly height: number; readonly width: number; readonly fit: ImageFit },
): Promise<Buffer> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' })
      .resize(size.width, size.height, { fit: size.fit })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== CHANNELS || info.width !== size.width || info.height !== size.height) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${size.width}x${size.height}x3`);
    }
    return data;
  } catch (error) {
    // libvips repeats its warnings one per line; keep each once so the message stays on one line.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim());
    const reason = [...new Set(lines.filter(Boolean))].join('; ');
    throw imageFolderError({ kind: 'UndecodableImage', file: id, reason }, error);
  }
}

/**
 * Decodes an image at its own size to raw pixels, with nothing else done: the floor under ingestion's cost, which
 * bench/image-ingest.ts measures beside it. Not used by ingestion itself.
 */
export async function decodeImageRaw(bytes: Buffer): Promise<{ data: Buffer; height: number; width: number; channels: number }> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, height: info.height, width: info.width, channels: info.channels };
}
