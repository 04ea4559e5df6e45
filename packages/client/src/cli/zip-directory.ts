import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_ZIP_ENTRIES, ZipBuilder } from '@tessera/storage/datasets/zip-writer';

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
  if (files.length > MAX_ZIP_ENTRIES) throw new Error(`${root}: ${files.length} files; a zip upload holds at most ${MAX_ZIP_ENTRIES}`);
  const zip = new ZipBuilder();
  try {
    for (const name of files) zip.add(name, await readFile(path.join(root, ...name.split('/'))), { deflate: true });
    return zip.finish();
  } catch (error) {
    // Entries were counted above: the builder's only limit left is plain zip's 4 GiB.
    if (error instanceof RangeError) throw new Error(`${root}: more than 4 GiB compressed; upload a zip64 archive of it instead`, { cause: error });
    throw error;
  }
}
