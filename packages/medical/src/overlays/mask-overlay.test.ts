import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OVERLAY_COLOURS, PREDICTED_ALPHA, composeOverlay, maskOutline, overlaySliceIndex, renderOverlayPng } from './mask-overlay.ts';

const blend = (grey: number): number[] => OVERLAY_COLOURS.predicted.map((c) => Math.round(grey * (1 - PREDICTED_ALPHA) + c * PREDICTED_ALPHA));
const pixel = (rgb: Uint8Array, width: number, y: number, x: number): number[] => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];

// A 6x6 slice, grey 0.4 (102) everywhere; the true mask a 4x4 square at rows/cols 1..4, the prediction rows 0..2.
const height = 6;
const width = 6;
const truth = new Uint8Array(36);
const predicted = new Uint8Array(36);
for (let y = 0; y < height; y += 1) {
  for (let x = 0; x < width; x += 1) {
    if (y >= 1 && y <= 4 && x >= 1 && x <= 4) truth[y * width + x] = 1;
    if (y <= 2) predicted[y * width + x] = 1;
  }
}

describe('maskOutline', () => {
  it('keeps the foreground pixels next to background, closing a mask at the border', () => {
    const rows = (mask: Uint8Array, w: number) => Array.from({ length: mask.length / w }, (_, y) => [...mask.subarray(y * w, (y + 1) * w)].join(''));
    expect(rows(maskOutline(truth, height, width), width)).toEqual(['000000', '011110', '010010', '010010', '011110', '000000']);
    expect(rows(maskOutline(Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1), 3, 3), 3)).toEqual(['111', '101', '111']);
  });
});

describe('composeOverlay', () => {
  const grey = new Float32Array(36).fill(0.4);
  const rgb = composeOverlay({ height, width, grey, predicted, truth });

  it('draws the true outline over everything, blends the prediction elsewhere, leaves the rest grey', () => {
    expect(pixel(rgb, width, 1, 1)).toEqual([...OVERLAY_COLOURS.outline]); // outline, also predicted
    expect(pixel(rgb, width, 4, 2)).toEqual([...OVERLAY_COLOURS.outline]); // outline, not predicted
    expect(pixel(rgb, width, 2, 2)).toEqual(blend(102)); // inside the true mask, predicted
    expect(pixel(rgb, width, 0, 5)).toEqual(blend(102)); // predicted outside the true mask
    expect(pixel(rgb, width, 3, 2)).toEqual([102, 102, 102]); // inside the true mask, missed
    expect(pixel(rgb, width, 5, 0)).toEqual([102, 102, 102]); // background
  });

  it('draws no outline for an unlabeled case and clips grey to [0, 1]', () => {
    const bright = composeOverlay({ height, width, grey: new Float32Array(36).fill(3), predicted });
    expect(pixel(bright, width, 1, 1)).toEqual(blend(255));
    expect(pixel(bright, width, 4, 2)).toEqual([255, 255, 255]);
  });

  it('refuses masks of another size', () => {
    expect(() => composeOverlay({ height, width, grey, predicted: new Uint8Array(35) })).toThrow('overlay predicted has 35 pixels, 6x6 needs 36');
  });
});

describe('overlaySliceIndex', () => {
  it('picks the slice with the most predicted plus true foreground, the middle one when both are empty', () => {
    const p = Uint8Array.of(0, 0, 1, 0, 1, 1, 0, 0);
    const t = Uint8Array.of(0, 0, 1, 1, 0, 1, 0, 0);
    expect(overlaySliceIndex([4, 1, 2], p, t)).toBe(1);
    expect(overlaySliceIndex([4, 1, 2], p, undefined)).toBe(2);
    expect(overlaySliceIndex([5, 1, 2], new Uint8Array(10), undefined)).toBe(2);
  });
});

describe('renderOverlayPng', () => {
  it('encodes the chosen slice as an RGB PNG with the composed pixels', async () => {
    // Two slices: the second holds both masks, the first none.
    const grey = new Float32Array(72).fill(0.4);
    const volumePredicted = new Uint8Array(72);
    volumePredicted.set(predicted, 36);
    const volumeTruth = new Uint8Array(72);
    volumeTruth.set(truth, 36);
    const { png, slice } = await renderOverlayPng({ shape: [2, height, width], grey, predicted: volumePredicted, truth: volumeTruth });
    expect(slice).toBe(1);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels, info.format]).toEqual([6, 6, 3, 'raw']);
    expect(new Uint8Array(data)).toEqual(composeOverlay({ height, width, grey: grey.subarray(36), predicted, truth }));
  });
});
