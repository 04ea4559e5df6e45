import { describe, expect, it } from 'vitest';
import { resizeMask, resizeSlice } from './segmentation-resize.ts';

describe('resizeSlice', () => {
  it('keeps constants and 16-bit values, and returns the input when the size is unchanged', () => {
    const flat = new Float32Array(12 * 10).fill(-1024.5);
    const small = resizeSlice(flat, { height: 10, width: 12 }, { height: 3, width: 4 });
    expect([...small].every((value) => Math.abs(value + 1024.5) < 1e-3)).toBe(true);
    const big = resizeSlice(new Float32Array(4).fill(40000), { height: 2, width: 2 }, { height: 5, width: 7 });
    expect([...big].every((value) => Math.abs(value - 40000) < 1e-2)).toBe(true);
    expect(resizeSlice(flat, { height: 10, width: 12 }, { height: 10, width: 12 })).toBe(flat);
  });

  it('interpolates bilinearly when enlarging and averages neighbours when shrinking', () => {
    // 1x2 -> 1x4: centres at -0.25, 0.25, 0.75, 1.25 of the source: clamped, quarter, three quarters, clamped.
    expect([...resizeSlice(Float32Array.from([0, 8]), { height: 1, width: 2 }, { height: 1, width: 4 })]).toEqual([0, 2, 6, 8]);
    // 1x4 -> 1x2 (factor 2, triangle of support 2): weights 1/8, 3/8, 3/8, 1/8 around each output centre, renormalised at borders.
    const shrunk = resizeSlice(Float32Array.from([0, 0, 8, 8]), { height: 1, width: 4 }, { height: 1, width: 2 });
    expect(shrunk[0]).toBeCloseTo((0 * 3 + 0 * 3 + 8 * 1) / 7, 5);
    expect(shrunk[1]).toBeCloseTo((0 * 1 + 8 * 3 + 8 * 3) / 7, 5);
    // A linear ramp stays linear inside the image.
    const ramp = Float32Array.from({ length: 64 }, (_, x) => x);
    const half = resizeSlice(ramp, { height: 1, width: 64 }, { height: 1, width: 16 });
    expect(half[8]).toBeCloseTo(8 * 4 + 1.5, 4);
  });

  it('rejects data that does not fit its size', () => {
    expect(() => resizeSlice(new Float32Array(5), { height: 2, width: 2 }, { height: 1, width: 1 })).toThrow(/5 values/);
  });
});

describe('resizeMask', () => {
  it('thresholds the resized mask at 0.5, so a half-covered pixel is foreground and a quarter-covered one is not', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0]);
    expect([...resizeMask(mask, { height: 2, width: 4 }, { height: 1, width: 2 })]).toEqual([1, 0]);
    const corner = Uint8Array.from([1, 0, 0, 0]);
    expect([...resizeMask(corner, { height: 2, width: 2 }, { height: 1, width: 1 })]).toEqual([0]);
    const half = Uint8Array.from([1, 0, 1, 0]);
    expect([...resizeMask(half, { height: 2, width: 2 }, { height: 1, width: 1 })]).toEqual([1]);
  });
});
