import sharp from 'sharp';

/**
 * Test fixtures for segmentation ingestion (here and in the coordinator's tests, which do not depend on sharp):
 * small grey PNGs drawn from a function, and the raw pixels of a PNG. Not used by production code.
 */

/** A grey 8-bit PNG whose pixel (x, y) is `value(x, y)`. */
export async function greyPng(width: number, height: number, value: (x: number, y: number) => number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) pixels[y * width + x] = value(x, y);
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

/** A PNG's pixels, interleaved as stored (3 channels for the RGB thumbnails). */
export async function pngPixels(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
