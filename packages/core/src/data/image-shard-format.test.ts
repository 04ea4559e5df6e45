import { describe, expect, it } from 'vitest';
import type { ImageShardRecord } from './image-shard-format.ts';
import { decodeImageShard, encodeImageShard, ImageShardFormatError, UNLABELED } from './image-shard-format.ts';

const size = { height: 2, width: 3, channels: 3 };
const records: ImageShardRecord[] = [
  { label: 1, split: 'train', id: 'train/dogs/dog.1.jpg' },
  { label: 0, split: 'valid', id: 'valid/cats/chat-é.jpg' },
];
const pixels = records.map((_, image) => Uint8Array.from({ length: 18 }, (_, i) => image * 100 + i));

describe('image shard format', () => {
  it('round-trips labels, splits, ids and an NHWC pixel block at an 8-byte boundary', () => {
    const bytes = encodeImageShard(size, records, pixels);
    const decoded = decodeImageShard(bytes, 'shard-0');
    expect(decoded.count).toBe(2);
    expect([...decoded.labels]).toEqual([1, 0]);
    expect(decoded.splits).toEqual(['train', 'valid']);
    expect(decoded.ids).toEqual(records.map((record) => record.id));
    expect([...decoded.pixels]).toEqual([...pixels[0]!, ...pixels[1]!]);
    expect(decoded.pixels.byteOffset % 8).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('TSIS');
  });

  it('round-trips an unlabeled test image as label -1 (stored as 0xFFFFFFFF)', () => {
    const bytes = encodeImageShard(size, [{ label: UNLABELED, split: 'test', id: 'test1/12500.jpg' }], [pixels[0]!]);
    expect(new DataView(bytes.buffer).getUint32(48, true)).toBe(0xffffffff);
    const decoded = decodeImageShard(bytes, 'shard-t');
    expect([...decoded.labels]).toEqual([UNLABELED]);
    expect(decoded.splits).toEqual(['test']);
    expect(decoded.ids).toEqual(['test1/12500.jpg']);
  });

  it('refuses an image of the wrong size when packing', () => {
    expect(() => encodeImageShard(size, records, [pixels[0]!, new Uint8Array(5)])).toThrow(/valid\/cats\/chat-é\.jpg' has 5 bytes, expected 18/);
  });

  it.each([
    ['truncated', (b: Uint8Array) => b.subarray(0, b.length - 1), /bytes, expected/],
    ['bad magic', (b: Uint8Array) => Uint8Array.from(b, (v, i) => (i === 0 ? 0 : v)), /magic/],
    ['unknown split', (b: Uint8Array) => Uint8Array.from(b, (v, i) => (i === 48 + 4 ? 9 : v)), /record 0 has split code 9/],
    ['too short', () => new Uint8Array(10), /shorter than the 48-byte header/],
  ] as const)('names the fault in a shard that is %s', (_label, damage, reason) => {
    const bytes = damage(encodeImageShard(size, records, pixels));
    expect(() => decodeImageShard(bytes, 'datasets/x/shards/0.bin')).toThrow(ImageShardFormatError);
    expect(() => decodeImageShard(bytes, 'datasets/x/shards/0.bin')).toThrow(reason);
  });
});
