import { describe, expect, it } from 'vitest';
import { decodeCaseVolume, encodeCaseVolume, type CaseVolumeHeader } from './case-volume-format.ts';

const header: CaseVolumeHeader = {
  dataset: 'lungs', sha256: 'ab'.repeat(32), id: 'case-ü', split: 'valid', shape: [2, 1, 3], spacing: [2.5, 0.7, 0.7],
  units: 'HU', modality: 'CT', classNames: ['background', 'lung'], hasMask: true, hasPrediction: true, scored: true, dice: 0.9, iou: 0.81,
};

const toBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

describe('case volume body', () => {
  it('round-trips the header, the float32 image and both masks', () => {
    const image = Float32Array.of(-1000, -500.5, 0, 40, 3071, Number.NaN);
    const mask = Uint8Array.of(0, 1, 1, 0, 0, 1);
    const prediction = Uint8Array.of(1, 1, 0, 0, 0, 0);
    const back = decodeCaseVolume(toBuffer(encodeCaseVolume({ header, image, mask, prediction })));
    expect(back.header).toEqual(header);
    expect(Array.from(back.image)).toEqual(Array.from(image));
    expect(Array.from(back.mask!)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(Array.from(back.prediction!)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('leaves out the masks a case does not have', () => {
    const bare = { ...header, hasMask: false, hasPrediction: false };
    const bytes = encodeCaseVolume({ header: bare, image: new Float32Array(6).fill(7), mask: undefined, prediction: undefined });
    const back = decodeCaseVolume(toBuffer(bytes));
    expect(back.mask).toBeUndefined();
    expect(back.prediction).toBeUndefined();
    expect(Array.from(back.image)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('refuses a body that is not one, or is cut short', () => {
    expect(() => decodeCaseVolume(new TextEncoder().encode('<html>').buffer)).toThrow('not a case volume: expected it to start with TCV1');
    const bytes = encodeCaseVolume({ header, image: new Float32Array(6), mask: new Uint8Array(6), prediction: new Uint8Array(6) });
    expect(() => decodeCaseVolume(toBuffer(bytes.subarray(0, bytes.length - 1)))).toThrow(/needs \d+ bytes, got/);
  });
});
