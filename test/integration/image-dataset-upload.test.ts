import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip, syntheticImage } from '@tessera/storage/datasets/image-folder-fixtures';
import { startTestCluster, type TestCluster } from './support/test-cluster.ts';

const CLASSES = ['cats', 'dogs'];

/** train/<class>/<n>.jpg (5 per class) and valid/<class>/<n>.png (2 per class), every image a distinct colour. */
async function classFolderZip(): Promise<Buffer> {
  const files = new Map<string, Uint8Array | null>();
  let seed = 1;
  for (const className of CLASSES) {
    for (let i = 0; i < 5; i += 1) files.set(`train/${className}/${i}.jpg`, await syntheticImage((seed += 1), 'jpeg', { width: 40, height: 30 }));
    for (let i = 0; i < 2; i += 1) files.set(`valid/${className}/${i}.png`, await syntheticImage((seed += 1), 'png', { width: 40, height: 30 }));
  }
  return buildZip(files);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, after checking the signature and that IHDR comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function failure(call: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { kind: (err as { kind: string }).kind, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('uploading a zip of class folders through the job API', () => {
  let tc: TestCluster;

  beforeAll(async () => {
    tc = await startTestCluster({ workers: 0, label: 'imgup' });
  });
  afterAll(async () => {
    await tc?.close();
  });

  it('ingests it at the asked size, registers it with a summary, and previews PNG thumbnails by class', async () => {
    const dataset = await tc.client.uploadDataset({ name: 'pets', kind: 'image-folder', fileName: 'pets.zip', bytes: await classFolderZip(), imageHeight: 32, imageWidth: 48 });
    expect(dataset).toMatchObject({ name: 'pets', kind: 'image-folder' });
    expect(dataset.summary).toBe('14 images (10 train, 4 valid), 2 classes, 48x32 RGB');
    expect((await tc.client.listDatasets()).map((d) => d.name)).toContain('pets');

    const preview = await tc.client.previewDataset('pets');
    expect(preview).toMatchObject({ kind: 'image-folder', classNames: CLASSES, imageHeight: 32, imageWidth: 48, rows: [] });
    expect(Number(preview.trainCount)).toBe(10);
    expect(Number(preview.validCount)).toBe(4);
    expect(preview.thumbnails.map((t) => t.className)).toEqual(['cats', 'cats', 'cats', 'cats', 'dogs', 'dogs', 'dogs', 'dogs']);
    for (const thumbnail of preview.thumbnails) {
      expect(thumbnail.id).toMatch(new RegExp(`^train/${thumbnail.className}/\\d\\.jpg$`));
      expect(pngSize(thumbnail.png)).toEqual({ width: 48, height: 32 });
      expect(thumbnail.png.subarray(-8, -4).toString('latin1')).toBe('IEND');
    }
  });

  it('uploads the same zip again as the same version', async () => {
    const bytes = await classFolderZip();
    const first = await tc.client.uploadDataset({ name: 'pets-again', kind: 'image-folder', fileName: 'pets.zip', bytes, imageHeight: 16, imageWidth: 16 });
    const second = await tc.client.uploadDataset({ name: 'pets-again', kind: 'image-folder', fileName: 'pets.zip', bytes, imageHeight: 16, imageWidth: 16 });
    expect(second.sha256).toBe(first.sha256);
    expect((await tc.client.listDatasets()).filter((d) => d.name === 'pets-again')).toHaveLength(1);
  });

  it('refuses a corrupt JPEG, a ../ entry, a missing train/ folder and a non-zip, naming the file, and registers nothing', async () => {
    const good = await syntheticImage(3, 'jpeg');
    const jpeg = Buffer.from(good);
    const cases: { name: string; fileName: string; files?: Map<string, Uint8Array | null>; bytes?: Buffer; message: RegExp }[] = [
      {
        name: 'bad-jpeg',
        fileName: 'bad.zip',
        files: new Map([['train/a/1.jpg', good], ['train/a/2.jpg', jpeg.subarray(0, 40)], ['train/b/1.jpg', good]]),
        message: /train\/a\/2\.jpg: not a decodable image/,
      },
      { name: 'slip', fileName: 'slip.zip', files: new Map([['train/a/1.jpg', good], ['../evil.jpg', good], ['train/b/1.jpg', good]]), message: /\.\.\/evil\.jpg: zip entry path escapes/ },
      { name: 'no-train', fileName: 'flat.zip', files: new Map([['a/1.jpg', good], ['b/1.jpg', good]]), message: /no train\/ folder/ },
      { name: 'not-zip', fileName: 'pets.csv', bytes: Buffer.from('1,2\n'), message: /a \.zip of class folders, not pets\.csv/ },
    ];
    for (const c of cases) {
      const bytes = c.bytes ?? buildZip(c.files!);
      const error = await failure(tc.client.uploadDataset({ name: c.name, kind: 'image-folder', fileName: c.fileName, bytes, imageHeight: 16, imageWidth: 16 }));
      expect(error.kind, c.name).toBe('InvalidArgument');
      expect(error.message, c.name).toMatch(c.message);
    }
    const names = (await tc.client.listDatasets()).map((d) => d.name);
    for (const c of cases) expect(names).not.toContain(c.name);
  });
});
