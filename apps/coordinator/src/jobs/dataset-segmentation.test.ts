import { describe, expect, it } from 'vitest';
import { buildZip } from '@tessera/storage/datasets/image-folder-fixtures';
import { greyPng, pngPixels } from '@tessera/storage/datasets/segmentation-fixtures';
import { MemoryObjectStore } from '@tessera/storage/memory-object-store';
import { MemoryJobStore } from '../store/memory-job-store.ts';
import { previewDataset } from './dataset-preview.ts';
import { DatasetService } from './dataset-service.ts';

async function lungZip(maskWidth = 24): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  for (let index = 0; index < 5; index += 1) {
    files.set(`cxr/images/c${index}.png`, await greyPng(24, 24, (x, y) => (x * 10 + y + index) % 256));
    files.set(`cxr/masks/c${index}.png`, await greyPng(index === 3 ? maskWidth : 24, 24, (x, y) => (x > 4 && x < 18 && y > 6 && y < 16 ? 255 : 0)));
  }
  files.set('cxr/images/unlabeled.png', await greyPng(24, 24, () => 90));
  return buildZip(files);
}

describe('segmentation uploads', () => {
  it('ingests a zip at the header size, registers it, and previews counts, geometry and outlined slices', async () => {
    const store = new MemoryJobStore();
    const objects = new MemoryObjectStore();
    const service = new DatasetService(store, objects);
    const record = await service.upload({ name: 'cxr', kind: 'segmentation', fileName: 'cxr.zip', sha256: '', imageHeight: 16, imageWidth: 16 }, await lungZip());
    expect(record).toMatchObject({ kind: 'segmentation', summary: '6 slices, 16x16 (4 train, 1 valid, 1 test, unlabeled), png OT, classes foreground' });
    const preview = await previewDataset(store, objects, { name: 'cxr', sha256: '', rows: 0 });
    expect(preview).toMatchObject({ kind: 'segmentation', classNames: ['background', 'foreground'], trainCount: 4, validCount: 1, testCount: 1, dims: 2, imageHeight: 16, imageWidth: 16, modality: 'OT', units: 'grey' });
    expect(preview.thumbnails).toHaveLength(4);
    const [first] = preview.thumbnails;
    const { data, width, height, channels } = await pngPixels(first?.png ?? new Uint8Array(0));
    expect([width, height, channels]).toEqual([16, 16, 3]);
    // The mask's outline is drawn in red.
    let red = 0;
    for (let at = 0; at < data.length; at += 3) if (data[at] === 255 && data[at + 1] === 48) red += 1;
    expect(red).toBeGreaterThan(8);
  });

  it('names the mask class and the modality from the header, and refuses bad ones', async () => {
    const service = new DatasetService(new MemoryJobStore(), new MemoryObjectStore());
    const header = { name: 'cxr', kind: 'segmentation', fileName: 'cxr.zip', sha256: '', imageHeight: 16, imageWidth: 16 };
    const record = await service.upload({ ...header, className: 'lung', modality: 'CR' }, await lungZip());
    expect(record.summary).toBe('6 slices, 16x16 (4 train, 1 valid, 1 test, unlabeled), png CR, classes lung');
    await expect(service.upload({ ...header, className: 'background' }, await lungZip())).rejects.toMatchObject({ error: { field: 'header.class_name' } });
    await expect(service.upload({ ...header, className: '../x' }, await lungZip())).rejects.toMatchObject({ error: { field: 'header.class_name' } });
    await expect(service.upload({ ...header, modality: 'ct scan' }, await lungZip())).rejects.toMatchObject({ error: { field: 'header.modality' } });
  });

  it('rejects a mask whose size differs from its image, naming the file, and registers nothing', async () => {
    const store = new MemoryJobStore();
    const objects = new MemoryObjectStore();
    const service = new DatasetService(store, objects);
    await expect(service.upload({ name: 'cxr', kind: 'segmentation', fileName: 'cxr.zip', sha256: '' }, await lungZip(20))).rejects.toMatchObject({
      error: { kind: 'InvalidArgument', field: 'cxr.zip', message: expect.stringMatching(/^cxr\/masks\/c3\.png: mask shape \[20, 24\]/) as unknown },
    });
    await expect(service.upload({ name: 'cxr', kind: 'segmentation', fileName: 'cxr.tar', sha256: '' }, Buffer.alloc(4))).rejects.toMatchObject({ error: { field: 'header.file_name' } });
    expect(await store.listDatasets()).toEqual([]);
    expect(await objects.list('')).toEqual([]);
  });
});
