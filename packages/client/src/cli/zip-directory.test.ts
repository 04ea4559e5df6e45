import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTree } from '@tessera/storage/datasets/image-folder-fixtures';
import { openImageFolderSource } from '@tessera/storage/datasets/image-folder-source';
import { zipDirectory } from './zip-directory.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-zip-directory-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('zipDirectory', () => {
  it('zips every visible file under the folder, deflated or stored, and yauzl reads them back', async () => {
    const text = Buffer.from('a'.repeat(5000));
    const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 251));
    await writeTree(path.join(dir, 'set'), new Map<string, Uint8Array | null>([
      ['images/case 1/IM0001', text],
      ['masks/case 1.nii.gz', noise],
      ['.DS_Store', Buffer.from('x')],
      ['images/.hidden/x', Buffer.from('y')],
      ['empty/', null],
    ]));
    const zip = path.join(dir, 'set.zip');
    const bytes = await zipDirectory(path.join(dir, 'set'));
    expect(bytes.length).toBeLessThan(text.length);
    await writeFile(zip, bytes);
    const source = await openImageFolderSource(zip);
    try {
      expect(source.listing).toEqual(['images/case 1/IM0001', 'masks/case 1.nii.gz']);
      expect(await source.read('images/case 1/IM0001')).toEqual(text);
      expect(await source.read('masks/case 1.nii.gz')).toEqual(noise);
    } finally {
      await source.close();
    }
  });

  it('refuses an empty folder, naming it', async () => {
    await expect(zipDirectory(dir)).rejects.toThrow(`${dir}: no files to upload`);
  });
});
