import { describe, expect, it } from 'vitest';
import { outlinedSlice } from './segmentation-thumbnails.ts';

describe('outlinedSlice', () => {
  it('takes the middle slice, stretches grey levels and draws only the mask boundary in red', () => {
    const shape = [3, 5, 5] as const;
    const image = new Float32Array(75).map((_, at) => (at >= 25 && at < 50 ? (at - 25) * 10 : -1000));
    const mask = new Uint8Array(75);
    for (let y = 1; y <= 3; y += 1) for (let x = 1; x <= 3; x += 1) mask[25 + y * 5 + x] = 1;
    const { rgb, height, width } = outlinedSlice({ id: 'c', split: 'train', shape, spacing: [1, 1, 1], image, mask });
    expect([height, width]).toEqual([5, 5]);
    const pixel = (x: number, y: number): number[] => [...rgb.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3)];
    expect(pixel(1, 1)).toEqual([255, 48, 48]);
    expect(pixel(3, 2)).toEqual([255, 48, 48]);
    // The centre is inside the mask but not on its boundary: grey, as is everything outside.
    expect(pixel(2, 2)[0]).toBe(pixel(2, 2)[1]);
    expect(pixel(0, 0)).toEqual([0, 0, 0]);
    expect(pixel(4, 4)).toEqual([255, 255, 255]);
  });
});
