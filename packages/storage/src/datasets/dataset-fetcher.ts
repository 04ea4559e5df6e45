import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetCatalogEntry } from './dataset-catalog.ts';

export type DatasetSource = 'cache' | 'mirror' | 'upstream';

export interface FetchDatasetProgress {
  readonly bytes: number;
  /** From Content-Length; undefined when the server does not say. */
  readonly total: number | undefined;
}

export interface FetchDatasetOptions {
  /** Verified downloads live at `<cacheDir>/<name>/<sha256>/<fileName>`; in-flight ones under `<cacheDir>/.partial`. */
  readonly cacheDir: string;
  /** Directories holding `entry.mirrorPath`, tried in order before upstream (see {@link datasetMirrorDirsFromEnv}). */
  readonly mirrorDirs: readonly string[];
  /** Defaults to the global fetch; tests pass a fake. */
  readonly fetchImpl?: typeof fetch;
  /** Called after each chunk of an upstream download. */
  readonly onProgress?: (progress: FetchDatasetProgress) => void;
}

export interface FetchedDataset {
  readonly path: string;
  readonly sha256: string;
  readonly source: DatasetSource;
}

export type DatasetFetchErrorDetail =
  | { readonly kind: 'ChecksumMismatch'; readonly file: string; readonly expected: string; readonly actual: string }
  | { readonly kind: 'DownloadFailed'; readonly url: string; readonly status: number | undefined; readonly hint: string };

/** Thrown by {@link fetchDataset}; the message names the file or URL at fault. */
export type DatasetFetchError = Error & { readonly name: 'DatasetFetchError' } & DatasetFetchErrorDetail;

function datasetFetchError(detail: DatasetFetchErrorDetail, cause?: unknown): DatasetFetchError {
  let message: string;
  switch (detail.kind) {
    case 'ChecksumMismatch':
      message = `checksum mismatch for ${detail.file}: expected sha256 ${detail.expected}, got ${detail.actual}`;
      break;
    case 'DownloadFailed': {
      const status = detail.status === undefined ? '' : ` (HTTP ${detail.status})`;
      const reason = cause instanceof Error ? `: ${cause.message}` : '';
      message = `download of ${detail.url} failed${status}${reason}; ${detail.hint}`;
      break;
    }
  }
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = 'DatasetFetchError';
  return Object.assign(error, detail) as DatasetFetchError;
}

/** Environment variable holding mirror directories, separated by ':' like PATH. */
export const DATASET_MIRROR_ENV = 'TESSERA_DATASET_MIRROR';

/** Parses `TESSERA_DATASET_MIRROR` (`/mnt/a:/mnt/b`) into absolute directories, skipping empty entries. */
export function datasetMirrorDirsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env[DATASET_MIRROR_ENV] ?? '')
    .split(':')
    .map((dir) => dir.trim())
    .filter((dir) => dir !== '')
    .map((dir) => path.resolve(dir));
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Streams `source` into a temp file under the cache while hashing it, and renames it to `target` only when the hash
 * matches: the cache never holds a partial or unverified file under its final name.
 */
async function writeVerified(
  source: AsyncIterable<Uint8Array>,
  options: { cacheDir: string; target: string; expected: string; label: string; onBytes?: (bytes: number) => void },
): Promise<void> {
  const partialDir = path.join(options.cacheDir, '.partial');
  const temp = path.join(partialDir, randomUUID());
  await mkdir(partialDir, { recursive: true });
  try {
    const hash = createHash('sha256');
    const handle = await open(temp, 'wx');
    try {
      let bytes = 0;
      for await (const chunk of source) {
        hash.update(chunk);
        await handle.write(chunk);
        bytes += chunk.byteLength;
        options.onBytes?.(bytes);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const actual = hash.digest('hex');
    if (actual !== options.expected) {
      throw datasetFetchError({ kind: 'ChecksumMismatch', file: options.label, expected: options.expected, actual });
    }
    await mkdir(path.dirname(options.target), { recursive: true });
    await rename(temp, options.target);
  } finally {
    await rm(temp, { force: true });
  }
}

async function download(entry: DatasetCatalogEntry, target: string, options: FetchDatasetOptions): Promise<void> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const hint = `to work offline, set ${DATASET_MIRROR_ENV} to a directory holding ${entry.mirrorPath}`;
  let response: Response;
  try {
    response = await fetchImpl(entry.url);
  } catch (error) {
    throw datasetFetchError({ kind: 'DownloadFailed', url: entry.url, status: undefined, hint }, error);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw datasetFetchError({ kind: 'DownloadFailed', url: entry.url, status: response.status, hint });
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const total = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  try {
    await writeVerified(response.body, {
      cacheDir: options.cacheDir,
      target,
      expected: entry.sha256,
      label: `${entry.fileName} downloaded from ${entry.url}`,
      onBytes: (bytes) => options.onProgress?.({ bytes, total }),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'DatasetFetchError') throw error;
    throw datasetFetchError({ kind: 'DownloadFailed', url: entry.url, status: response.status, hint }, error);
  }
}

/**
 * Makes a catalog data set available as a verified local file, trying in order: the cache (re-hashed on every hit,
 * which costs one full read of the file), each mirror directory (copied into the cache), then upstream.
 * A corrupted cache file is replaced; a mirror or download whose sha256 differs fails with `ChecksumMismatch`
 * naming the file and both hashes, and leaves nothing in the cache.
 */
export async function fetchDataset(entry: DatasetCatalogEntry, options: FetchDatasetOptions): Promise<FetchedDataset> {
  const cacheDir = path.resolve(options.cacheDir);
  const target = path.join(cacheDir, entry.name, entry.sha256, entry.fileName);
  const found = (source: DatasetSource): FetchedDataset => ({ path: target, sha256: entry.sha256, source });

  if (await isFile(target)) {
    if ((await hashFile(target)) === entry.sha256) return found('cache');
    // Damaged after it was verified (disk, manual edit): drop it and fetch a good copy.
    await rm(target, { force: true });
  }

  for (const dir of options.mirrorDirs) {
    const mirrored = path.join(path.resolve(dir), ...entry.mirrorPath.split('/'));
    if (!(await isFile(mirrored))) continue;
    await writeVerified(createReadStream(mirrored), { cacheDir, target, expected: entry.sha256, label: mirrored });
    return found('mirror');
  }

  await download(entry, target, { ...options, cacheDir });
  return found('upstream');
}
