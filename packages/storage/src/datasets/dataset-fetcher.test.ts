import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../content-hash.ts';
import type { DatasetCatalogEntry } from './dataset-catalog.ts';
import type { FetchDatasetProgress } from './dataset-fetcher.ts';
import { datasetMirrorDirsFromEnv, fetchDataset } from './dataset-fetcher.ts';

const CONTENT = Buffer.from('0.1,0.2,R\n0.3,0.4,M\n');
const entry: DatasetCatalogEntry = {
  name: 'tiny',
  kind: 'tabular-csv',
  description: 'two rows',
  url: 'https://datasets.invalid/tiny.csv',
  sha256: sha256Hex(CONTENT),
  sizeBytes: CONTENT.byteLength,
  mirrorPath: 'tiny/tiny.csv',
  fileName: 'tiny.csv',
};

/** A fetch that serves `body` for entry.url and counts calls; no sockets. */
function fakeFetch(body: Uint8Array, status = 200): { fetchImpl: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const fetchImpl = (input: string | URL | Request): Promise<Response> => {
    calls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = { 'content-length': String(body.byteLength) };
    return Promise.resolve(new Response(status === 200 ? body : null, { status, headers }));
  };
  return { fetchImpl, calls };
}

let dir = '';
let cacheDir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tessera-fetch-'));
  cacheDir = path.join(dir, 'cache');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeMirror(name: string, bytes: Uint8Array): Promise<string> {
  const mirror = path.join(dir, name);
  await mkdir(path.join(mirror, 'tiny'), { recursive: true });
  await writeFile(path.join(mirror, 'tiny', 'tiny.csv'), bytes);
  return mirror;
}

/** Every file under the cache, relative, so a test can assert nothing half-written stayed behind. */
async function cacheFiles(): Promise<string[]> {
  const entries = await readdir(cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(cacheDir, path.join(e.parentPath, e.name)));
}

describe('fetchDataset', () => {
  it('copies from the first mirror that has the file, then serves later calls from the cache', async () => {
    const empty = path.join(dir, 'empty-mirror');
    const mirror = await writeMirror('mirror', CONTENT);
    const { fetchImpl, calls } = fakeFetch(CONTENT);
    const first = await fetchDataset(entry, { cacheDir, mirrorDirs: [empty, mirror], fetchImpl });
    expect(first).toEqual({
      path: path.join(cacheDir, 'tiny', entry.sha256, 'tiny.csv'),
      sha256: entry.sha256,
      source: 'mirror',
    });
    expect(await readFile(first.path)).toEqual(CONTENT);
    const second = await fetchDataset(entry, { cacheDir, mirrorDirs: [], fetchImpl });
    expect(second.source).toBe('cache');
    expect(calls).toEqual([]);
  });

  it('rejects a corrupted mirror copy naming the file and both hashes, leaving the cache empty', async () => {
    const bad = Buffer.from(CONTENT);
    bad[0] = 0x39;
    const mirror = await writeMirror('mirror', bad);
    const { fetchImpl } = fakeFetch(CONTENT);
    const attempt = fetchDataset(entry, { cacheDir, mirrorDirs: [mirror], fetchImpl });
    await expect(attempt).rejects.toMatchObject({
      kind: 'ChecksumMismatch',
      file: path.join(mirror, 'tiny', 'tiny.csv'),
      expected: entry.sha256,
      actual: sha256Hex(bad),
    });
    await expect(attempt).rejects.toThrow(new RegExp(`${entry.sha256}.*${sha256Hex(bad)}`));
    expect(await cacheFiles()).toEqual([]);
  });

  it('downloads upstream with progress when no mirror has it', async () => {
    const { fetchImpl, calls } = fakeFetch(CONTENT);
    const progress: FetchDatasetProgress[] = [];
    const fetched = await fetchDataset(entry, {
      cacheDir,
      mirrorDirs: [path.join(dir, 'nothing-here')],
      fetchImpl,
      onProgress: (p) => progress.push(p),
    });
    expect(fetched.source).toBe('upstream');
    expect(calls).toEqual([entry.url]);
    expect(progress.at(-1)).toEqual({ bytes: CONTENT.byteLength, total: CONTENT.byteLength });
    expect(await cacheFiles()).toEqual([path.join('tiny', entry.sha256, 'tiny.csv')]);
  });

  it('rejects a corrupted download and keeps nothing of it', async () => {
    const { fetchImpl } = fakeFetch(Buffer.from('not the data'));
    await expect(fetchDataset(entry, { cacheDir, mirrorDirs: [], fetchImpl })).rejects.toMatchObject({
      kind: 'ChecksumMismatch',
      expected: entry.sha256,
      actual: sha256Hex(Buffer.from('not the data')),
    });
    expect(await cacheFiles()).toEqual([]);
  });

  it('reports an HTTP error naming the URL and how to work offline', async () => {
    const { fetchImpl } = fakeFetch(CONTENT, 404);
    const attempt = fetchDataset(entry, { cacheDir, mirrorDirs: [], fetchImpl });
    await expect(attempt).rejects.toMatchObject({ kind: 'DownloadFailed', url: entry.url, status: 404 });
    await expect(attempt).rejects.toThrow(/TESSERA_DATASET_MIRROR.*tiny\/tiny\.csv/);
  });

  it('replaces a cache file that no longer matches its hash', async () => {
    const target = path.join(cacheDir, 'tiny', entry.sha256, 'tiny.csv');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'bit rot');
    const mirror = await writeMirror('mirror', CONTENT);
    const fetched = await fetchDataset(entry, { cacheDir, mirrorDirs: [mirror] });
    expect(fetched.source).toBe('mirror');
    expect(await readFile(target)).toEqual(CONTENT);
  });
});

describe('datasetMirrorDirsFromEnv', () => {
  it('splits on colons, drops empty entries and resolves paths', () => {
    expect(datasetMirrorDirsFromEnv({ TESSERA_DATASET_MIRROR: '/a/b::rel/c:' })).toEqual([
      '/a/b',
      path.resolve('rel/c'),
    ]);
    expect(datasetMirrorDirsFromEnv({})).toEqual([]);
  });
});
