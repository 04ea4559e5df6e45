import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { datasetManifestKey, uploadDataset } from '@tessera/storage/datasets/dataset-objects';
import { MemoryJobStore } from '../store/memory-job-store.ts';
import { previewDataset, splitCsvLine } from './dataset-preview.ts';

async function fixture(name: string, csv: string, kind: 'tabular-csv' | 'image-folder' = 'tabular-csv') {
  const store = new MemoryJobStore();
  const objects = new MemoryObjectStore();
  const { manifest } = await uploadDataset(objects, { name, kind, files: [{ name: `${name}.csv`, bytes: Buffer.from(csv) }], summary: '' });
  await store.upsertDataset({
    name, sha256: manifest.sha256, kind, sizeBytes: manifest.sizeBytes, manifestKey: datasetManifestKey(name, manifest.sha256), summary: '', createdAt: new Date(),
  });
  return { store, objects, sha256: manifest.sha256 };
}

describe('previewDataset', () => {
  it('names headerless columns column_N and label, and counts every row', async () => {
    const csv = Array.from({ length: 30 }, (_, i) => `0.${i},1.5,${i % 2 ? 'R' : 'M'}`).join('\n') + '\n\n';
    const { store, objects } = await fixture('uci', csv);
    const preview = await previewDataset(store, objects, { name: 'uci', sha256: '', rows: 0 });
    expect(preview.columns).toEqual(['column_1', 'column_2', 'label']);
    expect(preview.rows).toHaveLength(20);
    expect(preview.rows[1]).toEqual(['0.1', '1.5', 'R']);
    expect(preview.totalRows).toBe(30);
    expect((await previewDataset(store, objects, { name: 'uci', sha256: '', rows: 200 })).rows).toHaveLength(30);
  });

  it('takes column names from a header and leaves it out of the rows', async () => {
    const { store, objects, sha256 } = await fixture('iris', 'sepal length,"width, cm",species\r\n5.1,3.5,setosa\r\n4.9,3.0,"set""osa"\r\n');
    const preview = await previewDataset(store, objects, { name: 'iris', sha256, rows: 1 });
    expect(preview).toMatchObject({ columns: ['sepal length', 'width, cm', 'species'], rows: [['5.1', '3.5', 'setosa']], totalRows: 2, sha256 });
  });

  it('names the field at fault', async () => {
    const { store, objects } = await fixture('uci', '1,2,A\n');
    await expect(previewDataset(store, objects, { name: 'uci', sha256: '', rows: 201 })).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'rows' } });
    await expect(previewDataset(store, objects, { name: 'uci', sha256: 'xyz', rows: 5 })).rejects.toMatchObject({ error: { kind: 'InvalidArgument', field: 'sha256' } });
    await expect(previewDataset(store, objects, { name: 'nope', sha256: '', rows: 5 })).rejects.toMatchObject({ error: { kind: 'DatasetNotFound', name: 'nope' } });
    await expect(previewDataset(store, objects, { name: 'uci', sha256: 'f'.repeat(64), rows: 5 })).rejects.toMatchObject({ error: { kind: 'DatasetNotFound' } });
  });

  it('reports changed bytes as damaged data', async () => {
    const { store, objects, sha256 } = await fixture('uci', '1,2,A\n');
    const manifest = JSON.parse((await objects.get(datasetManifestKey('uci', sha256))).toString()) as { shards: { key: string }[] };
    await objects.put(manifest.shards[0]!.key, Buffer.from('9,9,B\n'));
    await expect(previewDataset(store, objects, { name: 'uci', sha256: '', rows: 5 })).rejects.toMatchObject({ error: { kind: 'CorruptData' } });
  });
});

describe('splitCsvLine', () => {
  it('splits on commas outside quotes', () => {
    expect(splitCsvLine('a,"b,c",,"d""e"')).toEqual(['a', 'b,c', '', 'd"e']);
    expect(splitCsvLine('')).toEqual(['']);
  });
});
