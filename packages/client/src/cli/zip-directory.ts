import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

// Plain zip (no zip64): 4 GiB and 65,535 entries at most, well past what the coordinator accepts in one upload.
const MAX_ZIP_BYTES = 0xffffffff;
const MAX_ENTRIES = 0xffff;

/** The files under `root` (hidden files and folders left out, symlinks not followed), `/`-separated and sorted. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((relative) => !relative.split('/').some((segment) => segment.startsWith('.')))
    .sort();
}

/**
 * Zips a directory in memory for `tessera dataset upload DIR` (the coordinator ingests zips): every file under it,
 * with paths relative to it, deflated (stored when deflate does not help: PNG, JPEG and gzipped NIfTI barely
 * shrink). Costs the compressed bytes in memory plus one file at a time; throws naming the limit when the folder
 * needs zip64.
 */
export async function zipDirectory(root: string): Promise<Buffer> {
  const files = await listFiles(root);
  if (files.length === 0) throw new Error(`${root}: no files to upload`);
  if (files.length > MAX_ENTRIES) throw new Error(`${root}: ${files.length} files; a zip upload holds at most ${MAX_ENTRIES}`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of files) {
    const data = await readFile(path.join(root, ...name.split('/')));
    const deflated = deflateRawSync(data);
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    // Bit 11: names are UTF-8.
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(stored ? 0 : 8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, body);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + body.length;
    if (offset > MAX_ZIP_BYTES) throw new Error(`${root}: more than 4 GiB compressed; upload a zip64 archive of it instead`);
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
