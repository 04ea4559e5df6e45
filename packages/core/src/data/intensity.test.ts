import { describe, expect, it } from 'vitest';
import { applyIntensity } from './intensity.ts';

const close = (values: Float32Array, expected: number[]) => {
  expect(values.length).toBe(expected.length);
  expected.forEach((e, i) => expect(values[i]).toBeCloseTo(e, 5));
};

describe('applyIntensity', () => {
  it('maps the lung window preset (-600/1500) to [0, 1] and clips outside it', () => {
    // Window [-1350, 150]: air (-1000) near the bottom, soft tissue (40) near the top, bone (700) clipped.
    close(applyIntensity(Float32Array.of(-2000, -1350, -1000, -600, 40, 150, 700), { kind: 'window', preset: 'lung' }), [0, 0, 350 / 1500, 0.5, 1390 / 1500, 1, 1]);
  });

  it('takes an explicit centre and width', () => {
    close(applyIntensity(Float32Array.of(0, 40, 80), { kind: 'window', center: 40, width: 80 }), [0, 0.5, 1]);
  });

  it('maps a fixed range (8-bit grey) to [0, 1]', () => {
    close(applyIntensity(Float32Array.of(0, 51, 255, 300), { kind: 'range', min: 0, max: 255 }), [0, 0.2, 1, 1]);
  });

  it('scales each sample by its own minimum and maximum; a constant sample becomes 0', () => {
    close(applyIntensity(Float32Array.of(10, 20, 30), { kind: 'minmax' }), [0, 0.5, 1]);
    close(applyIntensity(Float32Array.of(-5, -5), { kind: 'minmax' }), [0, 0]);
  });

  it('z-scores over the voxels above the threshold, leaving the background lowest', () => {
    // Above 0: 2, 4, 6 (mean 4, std sqrt(8/3)); the zero background maps below them.
    const std = Math.sqrt(8 / 3);
    close(applyIntensity(Float32Array.of(0, 0, 2, 4, 6), { kind: 'zscore' }), [-4 / std, -4 / std, -2 / std, 0, 2 / std]);
    close(applyIntensity(Float32Array.of(1, 2, 3), { kind: 'zscore', threshold: 1.5 }), [-3, -1, 1]);
  });

  it('z-scores a constant sample to zeros instead of dividing by 0', () => {
    close(applyIntensity(Float32Array.of(7, 7, 7), { kind: 'zscore' }), [0, 0, 0]);
  });

  it('leaves its input untouched', () => {
    const image = Float32Array.of(1, 2, 3);
    applyIntensity(image, { kind: 'minmax' });
    expect([...image]).toEqual([1, 2, 3]);
  });
});
