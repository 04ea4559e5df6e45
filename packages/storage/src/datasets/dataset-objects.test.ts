import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../content-hash.ts';
import { MemoryObjectStore } from '../memory-object-store.ts';
import {
  datasetContentHash,
  datasetManifestKey,
  readDatasetFile,
  readDatasetManifest,
  readDatasetManifestAt,
  uploadDataset,
  validateDatasetName,
} from './dataset-objects.ts';

const CSV = Buffer.from('0.1,0.2,R\n0.3,0.4,M\n');
const createdAt = new Date('2025-01-02T03:04:05.000Z');

describe('uploadDataset', () => {
  it('stores a single file addressed by its own sha256, shard first and manifest last', async () => {
    const store = new MemoryObjectStore();
    const order: string[] = [];
    const put = store.put.bind(store);
    store.put = (key, data) => {
      order.push(key);
      return put(key, data);
    };
    const sha = sha256Hex(CSV);
    const { manifest, manifestKey } = await uploadDataset(store, {
      name: 'tiny',
      kind: 'tabular-csv',
      files: [{ name: 'tiny.csv', bytes: CSV }],
      summary: '2 rows x 3 columns',
      createdAt,
    });
    expect(manifestKey).toBe(`datasets/tiny/${sha}/manifest.json`);
    expect(order).toEqual([`datasets/tiny/${sha}/shards/0.bin`, manifestKey]);
    expect(manifest).toEqual({
      format: 1,
      name: 'tiny',
      kind: 'tabular-csv',
      sha256: sha,
      sizeBytes: CSV.byteLength,
      summary: '2 rows x 3 columns',
      createdAt: '2025-01-02T03:04:05.000Z',
      shards: [
        { index: 0, fileName: 'tiny.csv', key: `datasets/tiny/${sha}/shards/0.bin`, sizeBytes: CSV.byteLength, sha256: sha },
      ],
    });
    expect(await readDatasetManifest(store, 'tiny', sha)).toEqual(manifest);
    expect(await readDatasetFile(store, manifest, 'tiny.csv')).toEqual(CSV);
  });

  it('hashes several files by their sha256sum-style listing, so order and names matter', async () => {
    const store = new MemoryObjectStore();
    const files = [
      { name: 'train.csv', bytes: Buffer.from('a') },
      { name: 'test.csv', bytes: Buffer.from('b') },
    ];
    const { manifest } = await uploadDataset(store, { name: 'split', kind: 'tabular-csv', files, summary: '' });
    const listing = `${sha256Hex(Buffer.from('a'))}  train.csv\n${sha256Hex(Buffer.from('b'))}  test.csv\n`;
    expect(manifest.sha256).toBe(sha256Hex(Buffer.from(listing)));
    expect(manifest.shards.map((s) => s.key.split('/').at(-1))).toEqual(['0.bin', '1.bin']);
    expect((await readDatasetFile(store, manifest, 'test.csv')).toString()).toBe('b');
    const swapped = datasetContentHash([...manifest.shards].reverse().map((s) => ({ name: s.fileName, sha256: s.sha256 })));
    expect(swapped).not.toBe(manifest.sha256);
  });

  it('is a no-op that returns the first manifest when the same bytes are uploaded again', async () => {
    const store = new MemoryObjectStore();
    const input = { name: 'tiny', kind: 'tabular-csv' as const, files: [{ name: 'tiny.csv', bytes: CSV }], summary: '' };
    const first = await uploadDataset(store, { ...input, createdAt });
    const second = await uploadDataset(store, { ...input, createdAt: new Date('2030-01-01T00:00:00Z') });
    expect(second.manifest.createdAt).toBe(first.manifest.createdAt);
  });

  it.each([
    ['no files', { files: [] }],
    ['appears twice', { files: [{ name: 'a.csv', bytes: CSV }, { name: 'a.csv', bytes: CSV }] }],
    ['invalid name', { files: [{ name: 'dir/a.csv', bytes: CSV }] }],
    ['unknown kind', { kind: 'video' }],
  ])('rejects input with %s', async (reason, override) => {
    const input = { name: 'tiny', kind: 'tabular-csv', files: [{ name: 'a.csv', bytes: CSV }], summary: '', ...override };
    const store = new MemoryObjectStore();
    const attempt = uploadDataset(store, input as Parameters<typeof uploadDataset>[1]);
    await expect(attempt).rejects.toMatchObject({ kind: 'InvalidDatasetInput' });
    await expect(attempt).rejects.toThrow(reason);
    expect(await store.list('')).toEqual([]);
  });
});

describe('data set names', () => {
  it.each(['sonar', 'a', 'cifar-10', 'lung_ct.v2', '0day', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(() => validateDatasetName(name)).not.toThrow();
  });

  it.each(['', 'Sonar', '-x', '.hidden', 'a/b', '..', 'x'.repeat(65), 'with space'])('rejects %j naming it', (name) => {
    let error: unknown;
    try {
      validateDatasetName(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ kind: 'InvalidDatasetName', name });
    expect(String(error)).toContain(`'${name}'`);
  });

  it('rejects a hash that is not lowercase hex sha256', () => {
    expect(() => datasetManifestKey('sonar', 'ABC')).toThrow(/'ABC' is not a lowercase hex sha256/);
  });
});

describe('reading data sets', () => {
  async function uploaded() {
    const store = new MemoryObjectStore();
    const result = await uploadDataset(store, {
      name: 'tiny',
      kind: 'tabular-csv',
      files: [{ name: 'tiny.csv', bytes: CSV }],
      summary: '',
    });
    return { store, ...result };
  }

  it('reports a corrupted shard naming its key and both hashes', async () => {
    const { store, manifest } = await uploaded();
    const shard = manifest.shards[0];
    if (shard === undefined) throw new Error('no shard');
    const damaged = Buffer.from(CSV);
    damaged[3] = 0x37;
    await store.put(shard.key, damaged);
    const attempt = readDatasetFile(store, manifest, 'tiny.csv');
    await expect(attempt).rejects.toMatchObject({
      kind: 'CorruptShard',
      key: shard.key,
      expected: shard.sha256,
      actual: sha256Hex(damaged),
    });
    await expect(attempt).rejects.toThrow(shard.key);
  });

  it('reports a missing manifest as DatasetNotFound naming the key', async () => {
    const store = new MemoryObjectStore();
    const sha = sha256Hex(CSV);
    await expect(readDatasetManifest(store, 'tiny', sha)).rejects.toMatchObject({
      kind: 'DatasetNotFound',
      name: 'tiny',
      sha256: sha,
      key: `datasets/tiny/${sha}/manifest.json`,
    });
  });

  it('reports a file the data set does not have', async () => {
    const { store, manifest } = await uploaded();
    await expect(readDatasetFile(store, manifest, 'other.csv')).rejects.toMatchObject({ kind: 'FileNotInDataset' });
  });

  it.each([
    ['not valid JSON', (_m: Record<string, unknown>) => '{'],
    ['sha256 does not match the hashes of its shards', (m: Record<string, unknown>) => {
      const shards = m.shards as Record<string, unknown>[];
      return JSON.stringify({ ...m, shards: [{ ...shards[0], sha256: '0'.repeat(64) }] });
    }],
    ['sizeBytes', (m: Record<string, unknown>) => JSON.stringify({ ...m, sizeBytes: 1 })],
    ['kind', (m: Record<string, unknown>) => JSON.stringify({ ...m, kind: 'video' })],
    ['do not match the key', (m: Record<string, unknown>) => JSON.stringify({ ...m, name: 'other' })],
  ])('rejects a manifest whose %s is wrong', async (reason, edit) => {
    const { store, manifestKey } = await uploaded();
    const raw = JSON.parse((await store.get(manifestKey)).toString()) as Record<string, unknown>;
    await store.put(manifestKey, Buffer.from(edit(raw)));
    const attempt = readDatasetManifestAt(store, manifestKey);
    await expect(attempt).rejects.toMatchObject({ kind: 'InvalidManifest', key: manifestKey });
    await expect(attempt).rejects.toThrow(reason);
  });
});
