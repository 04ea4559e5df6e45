import { describe, expect, it } from 'vitest';
import { isImageFolderError } from './image-folder-errors.ts';
import { planImageFolder } from './image-folder-layout.ts';

const ids = (layout: ReturnType<typeof planImageFolder>) => ({
  classNames: layout.classNames,
  train: layout.entries.train.map((e) => `${e.id}:${e.className}`),
  valid: layout.entries.valid.map((e) => `${e.id}:${e.className}`),
  test: layout.entries.test.map((e) => `${e.id}:${e.className}`),
  skipped: layout.skipped,
});

function errorOf(listing: string[]): Error & { kind?: string } {
  try {
    planImageFolder(listing);
  } catch (error) {
    if (isImageFolderError(error)) return error;
    throw error;
  }
  throw new Error('expected an ImageFolderError');
}

describe('planImageFolder: unlabeled images to predict', () => {
  it("takes Kaggle's test1/ (images directly inside) as the test split with no classes", () => {
    expect(ids(planImageFolder(['test1/', 'test1/10.jpg', 'test1/2.jpg', 'test1/notes.txt']))).toEqual({
      classNames: [], train: [], valid: [], test: ['test1/10.jpg:', 'test1/2.jpg:'], skipped: ['test1/notes.txt'],
    });
  });

  it('takes a flat folder of images at the root or inside one top-level folder of any name', () => {
    expect(ids(planImageFolder(['1.png', '2.png', 'README.md'])).test).toEqual(['1.png:', '2.png:']);
    const wrapped = ids(planImageFolder(['holdout/', 'holdout/a.jpg', 'holdout/b.jpg', '.DS_Store', '__MACOSX/holdout/._a.jpg']));
    expect(wrapped.test).toEqual(['holdout/a.jpg:', 'holdout/b.jpg:']);
    expect(wrapped.classNames).toEqual([]);
  });

  it("takes fast.ai's test/unknown/*.jpg and a zipped folder holding test/", () => {
    expect(ids(planImageFolder(['test/unknown/1.jpg', 'test/unknown/2.jpg'])).test).toEqual(['test/unknown/1.jpg:', 'test/unknown/2.jpg:']);
    expect(ids(planImageFolder(['kaggle/test1/1.jpg', 'kaggle/test1/2.jpg'])).test).toEqual(['test1/1.jpg:', 'test1/2.jpg:']);
  });

  it('keeps test/ images unlabeled beside a labeled train/ and valid/', () => {
    const layout = ids(planImageFolder(['train/cats/c.1.jpg', 'train/dogs/d.1.jpg', 'valid/cats/c.2.jpg', 'valid/dogs/d.2.jpg', 'test/9.jpg', 'test/10.jpg']));
    expect(layout.classNames).toEqual(['cats', 'dogs']);
    expect(layout.train).toEqual(['train/cats/c.1.jpg:cats', 'train/dogs/d.1.jpg:dogs']);
    expect(layout.test).toEqual(['test/10.jpg:', 'test/9.jpg:']);
  });

  it('still names a missing train/ folder for class folders without one and for deeper trees', () => {
    expect(errorOf(['a/1.jpg', 'b/1.jpg']).message).toMatch(/^\.: no train\/ folder \(found a, b\).*or images to predict/);
    expect(errorOf(['training/cats/cat.1.png']).kind).toBe('NoTrainFolder');
    expect(errorOf(['test/1.jpg', 'valid/cats/c.jpg']).kind).toBe('NoTrainFolder');
    expect(errorOf(['notes.txt']).kind).toBe('NoTrainFolder');
  });
});
