import type { ImageRecords } from '../data/image-shard-format.ts';
import { SeededRandom } from '../random/seeded-random.ts';

/**
 * `count` 8x8 RGB test images, label 1 bright and label 0 dark (alternating), each pixel `dark` or `bright` plus
 * seeded noise in [0, noise), so no two are alike and a tiny classifier separates them in a few steps.
 */
export function darkAndBrightImages(count: number, seed: number, levels: { dark: number; bright: number; noise: number }): ImageRecords {
  const random = SeededRandom.fromSeed(seed, 'images');
  const size = 8 * 8 * 3;
  const pixels = new Uint8Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i += 1) {
    labels[i] = i % 2;
    for (let p = 0; p < size; p += 1) pixels[i * size + p] = (i % 2 === 1 ? levels.bright : levels.dark) + Math.floor(random.next() * levels.noise);
  }
  return { count, height: 8, width: 8, channels: 3, labels, pixels, splits: Array.from({ length: count }, () => 'train'), ids: Array.from({ length: count }, (_, i) => `${i}`) };
}
