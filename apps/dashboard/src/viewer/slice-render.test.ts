import { describe, expect, it } from 'vitest';
import {
  clampSlice, draggedWindow, foregroundBySlice, greyOf, initialWindow, intensityRange, outlineOf, renderSlice, sliceOf, type VolumeShape,
} from './slice-render.ts';

const LUNG = { center: -600, width: 1500 };

describe('sliceOf', () => {
  it('takes depth slice z as the run of height x width voxels at z, without copying', () => {
    const shape: VolumeShape = [3, 2, 2];
    const volume = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(sliceOf(volume, shape, 1))).toEqual([4, 5, 6, 7]);
    sliceOf(volume, shape, 2)[0] = 99;
    expect(volume[8]).toBe(99);
  });

  it('clamps the index into the volume', () => {
    const mask = Uint8Array.from({ length: 8 }, (_, i) => i);
    expect(Array.from(sliceOf(mask, [2, 2, 2], -4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(sliceOf(mask, [2, 2, 2], 7))).toEqual([4, 5, 6, 7]);
    expect(clampSlice(1.6, 5)).toBe(2);
    expect(clampSlice(3, 1)).toBe(0);
  });
});

describe('greyOf', () => {
  it('maps the lung window linearly: -1350 HU and below black, 150 HU and above white, the centre mid-grey', () => {
    expect(greyOf(-2000, LUNG)).toBe(0);
    expect(greyOf(-1350, LUNG)).toBe(0);
    expect(greyOf(-600, LUNG)).toBe(128);
    expect(greyOf(-1000, LUNG)).toBe(60);
    expect(greyOf(150, LUNG)).toBe(255);
    expect(greyOf(3000, LUNG)).toBe(255);
  });

  it('narrows with the window: 40 HU is mid-grey under mediastinum, and the brain window clips at 0 and 80 HU', () => {
    expect(greyOf(40, { center: 40, width: 400 })).toBe(128);
    expect(greyOf(80, { center: 40, width: 80 })).toBe(255);
    expect(greyOf(0, { center: 40, width: 80 })).toBe(0);
  });

  it('treats a width under 1 as a threshold and NaN as black', () => {
    expect(greyOf(10.6, { center: 10, width: 0 })).toBe(255);
    expect(greyOf(9.4, { center: 10, width: 0 })).toBe(0);
    expect(greyOf(Number.NaN, LUNG)).toBe(0);
  });
});

describe('windows', () => {
  it('opens CT on the preset and other images on their whole range', () => {
    const range = intensityRange(Float32Array.of(5, Number.NaN, -3, 20));
    expect(range).toEqual({ min: -3, max: 20 });
    expect(initialWindow('HU', range, LUNG)).toEqual(LUNG);
    expect(initialWindow('grey', range, LUNG)).toEqual({ center: 8.5, width: 23 });
    expect(initialWindow('grey', intensityRange(Float32Array.of(7, 7)), LUNG)).toEqual({ center: 7, width: 1 });
  });

  it('widens on a drag right and raises the centre on a drag down, in steps of the range over 256', () => {
    expect(draggedWindow(LUNG, 10, 0, 2560)).toEqual({ center: -600, width: 1600 });
    expect(draggedWindow(LUNG, 0, -20, 2560)).toEqual({ center: -800, width: 1500 });
    expect(draggedWindow({ center: 0, width: 10 }, -1000, 0, 2560).width).toBe(1);
  });
});

describe('outlineOf', () => {
  it('keeps the labeled voxels that touch background or the border', () => {
    // A 3x3 block in a 5x5 slice: its centre is inside, its 8 others the outline.
    const mask = new Uint8Array(25);
    for (let y = 1; y <= 3; y += 1) for (let x = 1; x <= 3; x += 1) mask[y * 5 + x] = 1;
    const edge = outlineOf(mask, 5, 5);
    expect(edge[12]).toBe(0);
    expect(Array.from(edge).reduce((a, b) => a + b, 0)).toBe(8);
    // Labeled voxels on the slice's border are edges too.
    expect(Array.from(outlineOf(new Uint8Array(4).fill(2), 2, 2))).toEqual([2, 2, 2, 2]);
  });
});

describe('renderSlice', () => {
  const image = Float32Array.of(-1000, -600, 0, 500);

  it('paints the window as opaque grey', () => {
    const out = new Uint8ClampedArray(16);
    renderSlice(out, image, 2, 2, LUNG);
    expect(Array.from(out)).toEqual([60, 60, 60, 255, 128, 128, 128, 255, 230, 230, 230, 255, 255, 255, 255, 255]);
  });

  it('blends each overlay where its mask is labeled, in order, leaving other pixels grey', () => {
    const out = new Uint8ClampedArray(16);
    const truth = Uint8Array.of(1, 1, 0, 0);
    const predicted = Uint8Array.of(0, 1, 0, 1);
    renderSlice(out, image, 2, 2, LUNG, [
      { mask: truth, color: [0, 255, 0], opacity: 1, style: 'fill' },
      { mask: predicted, color: [255, 0, 0], opacity: 0.5, style: 'fill' },
    ]);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 255, 0, 255]);
    expect(Array.from(out.subarray(4, 8))).toEqual([128, 128, 0, 255]);
    expect(Array.from(out.subarray(8, 12))).toEqual([230, 230, 230, 255]);
    expect(Array.from(out.subarray(12, 16))).toEqual([255, 128, 128, 255]);
  });

  it('draws nothing for a zero opacity, and only the edge of an outline', () => {
    const plain = new Uint8ClampedArray(9 * 4);
    const big = new Float32Array(9).fill(-600);
    renderSlice(plain, big, 3, 3, LUNG);
    const hidden = new Uint8ClampedArray(9 * 4);
    renderSlice(hidden, big, 3, 3, LUNG, [{ mask: new Uint8Array(9).fill(1), color: [255, 0, 0], opacity: 0, style: 'fill' }]);
    expect(hidden).toEqual(plain);
    const outlined = new Uint8ClampedArray(9 * 4);
    renderSlice(outlined, big, 3, 3, LUNG, [{ mask: new Uint8Array(9).fill(1), color: [255, 0, 0], opacity: 1, style: 'outline' }]);
    expect(Array.from(outlined.subarray(16, 20))).toEqual([128, 128, 128, 255]);
    expect(Array.from(outlined.subarray(0, 4))).toEqual([255, 0, 0, 255]);
  });

  it('refuses buffers of the wrong size', () => {
    expect(() => renderSlice(new Uint8ClampedArray(12), image, 2, 2, LUNG)).toThrow('a 2x2 slice needs 4 voxels and 16 RGBA bytes, got 4 and 12');
    expect(() => renderSlice(new Uint8ClampedArray(16), image, 2, 2, LUNG, [{ mask: new Uint8Array(3), color: [0, 0, 0], opacity: 1, style: 'fill' }])).toThrow('does not fit');
  });
});

describe('foregroundBySlice', () => {
  it('counts labeled voxels per depth slice', () => {
    expect(foregroundBySlice(Uint8Array.of(0, 1, 1, 1, 0, 0, 2, 0), [2, 2, 2])).toEqual([3, 1]);
  });
});
