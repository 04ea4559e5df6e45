import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '@tessera/storage/object-store';
import { readDatasetFile, readDatasetManifestAt, type DatasetManifest } from '@tessera/storage/datasets/dataset-objects';
import { sha256Hex } from '@tessera/storage/content-hash';

/**
 * A worker's local copy of data-set files, keyed by content hash: a data set is read from the object store once
 * per worker, not once per job. A cached file whose hash no longer matches is fetched again.
 */
export async function readDatasetThroughCache(
  store: ObjectStore,
  manifestKey: string,
  cacheDir: string,
): Promise<{ manifest: DatasetManifest; fileName: string; bytes: Buffer }> {
  const manifest = await readDatasetManifestAt(store, manifestKey);
  const shard = manifest.shards[0];
  if (!shard) throw new Error(`data set ${manifest.name}@${manifest.sha256} has no files (${manifestKey})`);
  const file = path.join(cacheDir, manifest.sha256, shard.fileName);
  const cached = await readFile(file).catch(() => undefined);
  if (cached && sha256Hex(cached) === shard.sha256) return { manifest, fileName: shard.fileName, bytes: cached };
  const bytes = await readDatasetFile(store, manifest, shard.fileName);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, file);
  return { manifest, fileName: shard.fileName, bytes };
}
