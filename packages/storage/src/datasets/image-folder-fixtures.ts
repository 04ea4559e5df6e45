import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ZipBuilder } from './zip-writer.ts';

/**
 * Test fixtures for image-folder ingestion: small synthetic JPEG/PNG images made with sharp, written as a directory
 * or packed into a zip. Not used by production code.
 */

/** A solid-colour image whose colour encodes `seed`, so tests can tell images apart after a round trip. */
export async function syntheticImage(seed: number, format: 'jpeg' | 'png' = 'png', size = { width: 20, height: 12 }): Promise<Buffer> {
  const image = sharp({
    create: { width: size.width, height: size.height, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 13) % 256 } },
  });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95 }).toBuffer();
}

/** Writes `files` (relative path -> bytes; a path ending in `/` makes an empty folder) under `root`. */
export async function writeTree(root: string, files: ReadonlyMap<string, Uint8Array | null>): Promise<void> {
  for (const [relative, bytes] of files) {
    const target = path.join(root, relative);
    if (bytes === null || relative.endsWith('/')) {
      await mkdir(target, { recursive: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
  }
}

/**
 * A zip (stored, no compression) holding `files` under exactly the names given, unsafe ones included: a minimal
 * writer so tests can build archives no well-behaved zip tool would make. A name ending in `/` is a folder entry.
 */
export function buildZip(files: ReadonlyMap<string, Uint8Array | null>): Buffer {
  const zip = new ZipBuilder();
  for (const [name, content] of files) zip.add(name, content ?? new Uint8Array(0));
  return zip.finish();
}
