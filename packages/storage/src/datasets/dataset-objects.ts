import { isSha256Hex, sha256Hex } from '../content-hash.ts';
import type { ObjectStore } from '../object-store.ts';
import { isObjectNotFound } from '../object-store.ts';
import type { DatasetKind } from './dataset-catalog.ts';

const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DATASET_KINDS: readonly DatasetKind[] = ['tabular-csv', 'image-folder', 'segmentation'];
const MANIFEST_FORMAT = 1;

export interface DatasetShard {
  readonly index: number;
  /** Name of the uploaded file this shard holds (one file per shard). */
  readonly fileName: string;
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** `datasets/<name>/<sha256>/manifest.json`: written last, so its presence means every shard is in place. */
export interface DatasetManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly name: string;
  readonly kind: DatasetKind;
  /** Content hash; see {@link datasetContentHash}. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Short human summary, e.g. "208 rows x 61 columns". */
  readonly summary: string;
  readonly createdAt: string;
  readonly shards: readonly DatasetShard[];
}

export interface DatasetFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface UploadDatasetInput {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly files: readonly DatasetFile[];
  readonly summary: string;
  /** Defaults to the current time; tests pass a fixed one. */
  readonly createdAt?: Date;
}

export type DatasetErrorDetail =
  | { readonly kind: 'InvalidDatasetName'; readonly name: string; readonly reason: string }
  | { readonly kind: 'InvalidDatasetInput'; readonly name: string; readonly reason: string }
  | { readonly kind: 'DatasetNotFound'; readonly name: string; readonly sha256: string; readonly key: string }
  | { readonly kind: 'InvalidManifest'; readonly key: string; readonly reason: string }
  | { readonly kind: 'FileNotInDataset'; readonly name: string; readonly sha256: string; readonly fileName: string }
  | { readonly kind: 'CorruptShard'; readonly key: string; readonly expected: string; readonly actual: string };

/** Thrown by the data-set object functions; branch on `kind`. Store failures surface as ObjectStoreError. */
export type DatasetError = Error & { readonly name: 'DatasetError' } & DatasetErrorDetail;

function describe(detail: DatasetErrorDetail): string {
  switch (detail.kind) {
    case 'InvalidDatasetName':
      return `invalid data set name '${detail.name}': ${detail.reason}`;
    case 'InvalidDatasetInput':
      return `invalid data set '${detail.name}': ${detail.reason}`;
    case 'DatasetNotFound':
      return `data set ${detail.name}@${detail.sha256} not found: no manifest at '${detail.key}'`;
    case 'InvalidManifest':
      return `invalid data set manifest '${detail.key}': ${detail.reason}`;
    case 'FileNotInDataset':
      return `data set ${detail.name}@${detail.sha256} has no file '${detail.fileName}'`;
    case 'CorruptShard':
      return `corrupt data set shard '${detail.key}': expected sha256 ${detail.expected}, got ${detail.actual}`;
  }
}

function datasetError(detail: DatasetErrorDetail, cause?: unknown): DatasetError {
  const error = new Error(describe(detail), cause === undefined ? undefined : { cause });
  error.name = 'DatasetError';
  return Object.assign(error, detail) as DatasetError;
}

/** Throws `InvalidDatasetName` unless `name` matches `[a-z0-9][a-z0-9._-]{0,63}` (safe as a key segment and a CLI arg). */
export function validateDatasetName(name: string): void {
  if (DATASET_NAME.test(name)) return;
  const reason =
    name === ''
      ? 'empty'
      : name.length > 64
        ? `longer than 64 characters (${name.length})`
        : 'use 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';
  throw datasetError({ kind: 'InvalidDatasetName', name, reason });
}

/** Object-store key of a data set version's manifest. */
export function datasetManifestKey(name: string, sha256: string): string {
  validateDatasetName(name);
  if (!isSha256Hex(sha256)) {
    throw datasetError({ kind: 'InvalidDatasetInput', name, reason: `'${sha256}' is not a lowercase hex sha256` });
  }
  return `datasets/${name}/${sha256}/manifest.json`;
}

/** Object-store key of shard `index` of a data set version (the manifest's `shards[index].key`). */
export function datasetShardKey(name: string, sha256: string, index: number): string {
  return `${datasetManifestKey(name, sha256).slice(0, -'manifest.json'.length)}shards/${index}.bin`;
}

/**
 * Content address of a data set: for one file, that file's sha256 (so it equals the catalog's and `sha256sum`'s);
 * for several, the sha256 of the `sha256sum`-style listing `<sha256>  <file name>\n` in upload order.
 */
export function datasetContentHash(files: readonly { readonly name: string; readonly sha256: string }[]): string {
  const [only] = files;
  if (files.length === 1 && only !== undefined) return only.sha256;
  return sha256Hex(Buffer.from(files.map((file) => `${file.sha256}  ${file.name}\n`).join(''), 'utf8'));
}

function checkFiles(name: string, files: readonly DatasetFile[]): void {
  const invalid = (reason: string): DatasetError => datasetError({ kind: 'InvalidDatasetInput', name, reason });
  if (files.length === 0) throw invalid('no files');
  const seen = new Set<string>();
  for (const [index, file] of files.entries()) {
    if (file.name === '' || file.name === '.' || file.name === '..' || /[/\\\0]/.test(file.name)) {
      throw invalid(`file ${index} has an invalid name '${file.name}' (a plain file name, no path)`);
    }
    if (seen.has(file.name)) throw invalid(`file name '${file.name}' appears twice`);
    seen.add(file.name);
  }
}

/**
 * Stores a data set content-addressed under `datasets/<name>/<sha256>/`: one shard per file, then the manifest,
 * so a reader that finds the manifest finds every shard. Uploading the same bytes again is a no-op that returns the
 * existing manifest (safe to retry). Holds every file in memory: meant for data sets of up to a few hundred MB.
 */
export async function uploadDataset(
  store: ObjectStore,
  input: UploadDatasetInput,
): Promise<{ manifest: DatasetManifest; manifestKey: string }> {
  validateDatasetName(input.name);
  if (!DATASET_KINDS.includes(input.kind)) {
    const reason = `unknown kind '${String(input.kind)}' (expected one of ${DATASET_KINDS.join(', ')})`;
    throw datasetError({ kind: 'InvalidDatasetInput', name: input.name, reason });
  }
  checkFiles(input.name, input.files);
  const hashed = input.files.map((file) => ({ ...file, sha256: sha256Hex(file.bytes) }));
  const sha256 = datasetContentHash(hashed);
  const manifestKey = datasetManifestKey(input.name, sha256);
  if (await store.exists(manifestKey)) {
    return { manifest: await readDatasetManifestAt(store, manifestKey), manifestKey };
  }
  const shards: DatasetShard[] = [];
  for (const [index, file] of hashed.entries()) {
    const key = datasetShardKey(input.name, sha256, index);
    await store.put(key, file.bytes);
    shards.push({ index, fileName: file.name, key, sizeBytes: file.bytes.byteLength, sha256: file.sha256 });
  }
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    name: input.name,
    kind: input.kind,
    sha256,
    sizeBytes: shards.reduce((sum, shard) => sum + shard.sizeBytes, 0),
    summary: input.summary,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    shards,
  };
  await putDatasetManifest(store, manifest);
  return { manifest, manifestKey };
}

/**
 * Writes `manifest` to its key: the last write of an upload, once every shard it lists is in place. For writers
 * that stream shards themselves (image-folder ingestion); `uploadDataset` calls it too. A manifest may carry
 * kind-specific fields beside the common ones (an image-folder manifest's `images`); they are written as given.
 */
export async function putDatasetManifest(store: ObjectStore, manifest: DatasetManifest): Promise<string> {
  const manifestKey = datasetManifestKey(manifest.name, manifest.sha256);
  await store.put(manifestKey, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
  return manifestKey;
}

/** The manifest format number {@link putDatasetManifest} expects in `format`. */
export const DATASET_MANIFEST_FORMAT = MANIFEST_FORMAT;

function parseShard(value: unknown, index: number, base: string, fail: (reason: string) => never): DatasetShard {
  if (typeof value !== 'object' || value === null) fail(`shards[${index}] is not an object`);
  const shard = value as Record<string, unknown>;
  if (shard.index !== index) fail(`shards[${index}].index is ${String(shard.index)}`);
  if (shard.key !== `${base}/shards/${index}.bin`) fail(`shards[${index}].key must be '${base}/shards/${index}.bin'`);
  if (typeof shard.fileName !== 'string' || shard.fileName === '') fail(`shards[${index}].fileName is missing`);
  if (!Number.isSafeInteger(shard.sizeBytes) || (shard.sizeBytes as number) < 0) {
    fail(`shards[${index}].sizeBytes is not a non-negative integer`);
  }
  if (!isSha256Hex(shard.sha256)) fail(`shards[${index}].sha256 is not a lowercase hex sha256`);
  return shard as unknown as DatasetShard;
}

/** Checks a manifest's shape and that its hash matches both its key and its shards, naming the field at fault. */
function parseManifest(key: string, bytes: Buffer): DatasetManifest {
  const fail = (reason: string): never => {
    throw datasetError({ kind: 'InvalidManifest', key, reason });
  };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw datasetError({ kind: 'InvalidManifest', key, reason: 'not valid JSON' }, error);
  }
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const raw = value as Record<string, unknown>;
  if (raw.format !== MANIFEST_FORMAT) fail(`format is ${String(raw.format)}, expected ${MANIFEST_FORMAT}`);
  if (typeof raw.name !== 'string' || !DATASET_NAME.test(raw.name)) fail('name is missing or invalid');
  if (!DATASET_KINDS.includes(raw.kind as DatasetKind)) fail(`kind '${String(raw.kind)}' is unknown`);
  if (!isSha256Hex(raw.sha256)) fail('sha256 is not a lowercase hex sha256');
  if (typeof raw.summary !== 'string') fail('summary is missing');
  if (typeof raw.createdAt !== 'string' || Number.isNaN(Date.parse(raw.createdAt))) fail('createdAt is not a date');
  if (!Array.isArray(raw.shards) || raw.shards.length === 0) return fail('shards is missing or empty');
  const base = `datasets/${String(raw.name)}/${String(raw.sha256)}`;
  if (key !== `${base}/manifest.json`) fail(`name and sha256 do not match the key (expected '${base}/manifest.json')`);
  const shards = raw.shards.map((shard, index) => parseShard(shard, index, base, fail));
  if (datasetContentHash(shards.map((s) => ({ name: s.fileName, sha256: s.sha256 }))) !== raw.sha256) {
    fail('sha256 does not match the hashes of its shards');
  }
  if (raw.sizeBytes !== shards.reduce((sum, shard) => sum + shard.sizeBytes, 0)) {
    fail('sizeBytes is not the sum of its shard sizes');
  }
  return raw as unknown as DatasetManifest;
}

/** Reads and checks the manifest at `manifestKey` (as carried by a worker assignment). */
export async function readDatasetManifestAt(store: ObjectStore, manifestKey: string): Promise<DatasetManifest> {
  let bytes: Buffer;
  try {
    bytes = await store.get(manifestKey);
  } catch (error) {
    if (!isObjectNotFound(error)) throw error;
    const [, name = '', sha256 = ''] = manifestKey.split('/');
    throw datasetError({ kind: 'DatasetNotFound', name, sha256, key: manifestKey }, error);
  }
  return parseManifest(manifestKey, bytes);
}

/** Reads and checks the manifest of data set `name` at content hash `sha256`. */
export async function readDatasetManifest(store: ObjectStore, name: string, sha256: string): Promise<DatasetManifest> {
  return readDatasetManifestAt(store, datasetManifestKey(name, sha256));
}

/**
 * Reads one file of a data set and verifies it against the manifest's sha256 and size; a damaged or replaced
 * shard fails with `CorruptShard` naming its key.
 */
export async function readDatasetFile(store: ObjectStore, manifest: DatasetManifest, fileName: string): Promise<Buffer> {
  const shard = manifest.shards.find((candidate) => candidate.fileName === fileName);
  if (shard === undefined) {
    throw datasetError({ kind: 'FileNotInDataset', name: manifest.name, sha256: manifest.sha256, fileName });
  }
  const bytes = await store.get(shard.key);
  const actual = sha256Hex(bytes);
  if (actual !== shard.sha256 || bytes.byteLength !== shard.sizeBytes) {
    throw datasetError({ kind: 'CorruptShard', key: shard.key, expected: shard.sha256, actual });
  }
  return bytes;
}
