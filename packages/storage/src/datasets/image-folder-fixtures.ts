import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

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
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content ?? new Uint8Array(0));
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}
