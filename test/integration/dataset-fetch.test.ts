import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '@tessera/storage/content-hash';
import { SONAR_DATASET } from '@tessera/storage/datasets/dataset-catalog';
import type { DatasetCatalogEntry } from '@tessera/storage/datasets/dataset-catalog';
import { datasetMirrorDirsFromEnv, fetchDataset } from '@tessera/storage/datasets/dataset-fetcher';
import type { FetchDatasetProgress } from '@tessera/storage/datasets/dataset-fetcher';

const BODY = Buffer.from(Array.from({ length: 2_000 }, (_, i) => `${i},${(i * 7) % 13},R\n`).join(''));

let upstream = '';
let requests: string[] = [];
const server = createServer((req, res) => {
  requests.push(req.url ?? '');
  if (req.url === '/sonar.all-data' || req.url === '/corrupt') {
    const body = req.url === '/corrupt' ? Buffer.concat([BODY.subarray(0, -1), Buffer.from('M')]) : BODY;
    res.writeHead(200, { 'content-length': body.byteLength, 'content-type': 'text/csv' });
    res.end(body);
  } else {
    res.writeHead(404).end('not here');
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

let cacheDir = '';
beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'tessera-dataset-cache-'));
  requests = [];
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function entryAt(urlPath: string): DatasetCatalogEntry {
  return { ...SONAR_DATASET, name: 'served', url: `${upstream}${urlPath}`, sha256: sha256Hex(BODY), sizeBytes: BODY.byteLength };
}

describe('fetchDataset over HTTP', () => {
  it('downloads with the global fetch, reports progress up to Content-Length and caches the file', async () => {
    const progress: FetchDatasetProgress[] = [];
    const fetched = await fetchDataset(entryAt('/sonar.all-data'), {
      cacheDir,
      mirrorDirs: [],
      onProgress: (p) => progress.push(p),
    });
    expect(fetched.source).toBe('upstream');
    expect(await readFile(fetched.path)).toEqual(BODY);
    // How many chunks loopback delivers is up to the kernel; the counts must only grow and end at the total.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p, i) => p.total === BODY.byteLength && p.bytes > (progress[i - 1]?.bytes ?? 0))).toBe(true);
    expect(progress.at(-1)?.bytes).toBe(BODY.byteLength);
    const again = await fetchDataset(entryAt('/sonar.all-data'), { cacheDir, mirrorDirs: [] });
    expect(again.source).toBe('cache');
    expect(requests).toEqual(['/sonar.all-data']);
  });

  it('rejects a download whose hash differs and caches nothing', async () => {
    const attempt = fetchDataset(entryAt('/corrupt'), { cacheDir, mirrorDirs: [] });
    await expect(attempt).rejects.toMatchObject({ kind: 'ChecksumMismatch', expected: sha256Hex(BODY) });
    expect(existsSync(path.join(cacheDir, 'served'))).toBe(false);
  });

  it('names the URL and status of a failed download', async () => {
    await expect(fetchDataset(entryAt('/missing'), { cacheDir, mirrorDirs: [] })).rejects.toMatchObject({
      kind: 'DownloadFailed',
      status: 404,
      message: expect.stringContaining(`${upstream}/missing`) as unknown,
    });
  });
});

// The sonar catalog entry must match the shared offline mirror byte for byte.
const mirrorDirs = [...datasetMirrorDirsFromEnv(process.env), '/work/shared/datasets'].filter((dir) =>
  existsSync(path.join(dir, SONAR_DATASET.mirrorPath)),
);
describe.skipIf(mirrorDirs.length === 0)('sonar from the offline mirror (needs TESSERA_DATASET_MIRROR)', () => {
  it('verifies against the catalog hash without touching the network', async () => {
    const fetched = await fetchDataset(SONAR_DATASET, {
      cacheDir,
      mirrorDirs,
      fetchImpl: () => Promise.reject(new Error('the network must not be used')),
    });
    expect(fetched.source).toBe('mirror');
    const bytes = await readFile(fetched.path);
    expect(bytes.byteLength).toBe(SONAR_DATASET.sizeBytes);
    expect(bytes.toString('utf8').trimEnd().split('\n')).toHaveLength(208);
  });
});
