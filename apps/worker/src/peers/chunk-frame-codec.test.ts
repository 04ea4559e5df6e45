import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contracts } from '@tessera/proto/contracts';
import type { ChunkFrame__Output } from '@tessera/proto/generated/tessera/peers/v1/ChunkFrame';
import { decodeChunkFrame, encodeChunkFrame } from './chunk-frame-codec.ts';
import type { ChunkFrameFields } from './chunk-frame-codec.ts';

/** protobufjs's (de)serialisers for ChunkFrame, as @grpc/proto-loader builds them from the contract. */
const reference = contracts().peers.tessera.peers.v1.PeerService.service.Exchange;

function bytes(length: number, seed = 1): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff));
}

const FRAMES: ChunkFrameFields[] = [
  { jobId: 'job-1', generation: 3, fromRank: 2, tag: 'r17/3/rs0', offset: 1_048_576, totalBytes: 4_194_304, data: bytes(4096) },
  { jobId: '', generation: 0, fromRank: 0, tag: '', offset: 0, totalBytes: 0, data: Buffer.alloc(0) },
  { jobId: 'ünïcødé-job-✓', generation: 2 ** 40 + 7, fromRank: 127, tag: 'tag-☃', offset: 2 ** 35, totalBytes: 2 ** 36, data: bytes(4) },
  // A data length whose minimal varint is 4 bytes (≥ 2^21) must still pad correctly.
  { jobId: 'j', generation: 1, fromRank: 1, tag: 't', offset: 0, totalBytes: 3 * 2 ** 20, data: bytes(3 * 2 ** 20) },
  { jobId: 'negative', generation: -5, fromRank: 1, tag: 't', offset: 0, totalBytes: 8, data: bytes(8) },
];
// Every header length modulo 4 (and so every amount of padding), by growing the tag one byte at a time.
for (let extra = 0; extra < 8; extra++) {
  FRAMES.push({ jobId: 'job', generation: 1, fromRank: 1, tag: 'x'.repeat(extra + 1), offset: 8, totalBytes: 64, data: bytes(12, extra) });
}

/** The frame with `data` as a digest, so megabyte payloads compare quickly. */
function fields(frame: ChunkFrame__Output | ChunkFrameFields): Record<string, unknown> {
  return { ...frame, data: `${frame.data.length}:${createHash('sha256').update(frame.data).digest('hex')}` };
}

describe('ChunkFrame codec', () => {
  it('round-trips every field', () => {
    for (const frame of FRAMES) expect(fields(decodeChunkFrame(encodeChunkFrame(frame)))).toEqual(fields(frame));
  });

  it('writes bytes that protobufjs decodes to the same frame', () => {
    for (const frame of FRAMES) {
      expect(fields(reference.requestDeserialize(encodeChunkFrame(frame)))).toEqual(fields(frame));
    }
  });

  it('reads bytes that protobufjs encodes', () => {
    for (const frame of FRAMES) {
      expect(fields(decodeChunkFrame(reference.requestSerialize(frame)))).toEqual(fields(frame));
    }
  });

  it('matches protobufjs byte for byte when no padding is needed', () => {
    let compared = 0;
    for (const frame of FRAMES) {
      const ours = encodeChunkFrame(frame);
      const theirs = reference.requestSerialize(frame);
      if (ours.length === theirs.length) {
        expect(ours.equals(theirs)).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('places data on a 4-byte boundary after the 5-byte gRPC prefix', () => {
    for (const frame of FRAMES) {
      if (frame.data.length === 0) continue;
      const encoded = encodeChunkFrame(frame);
      const data = decodeChunkFrame(encoded).data;
      expect((5 + data.byteOffset - encoded.byteOffset) % 4).toBe(0);
    }
  });

  it('decodes data as a view into the received buffer, without copying', () => {
    const encoded = encodeChunkFrame(FRAMES[0] as ChunkFrameFields);
    const decoded = decodeChunkFrame(encoded);
    expect(decoded.data.buffer).toBe(encoded.buffer);
    encoded[encoded.length - 1] = 0xab;
    expect(decoded.data[decoded.data.length - 1]).toBe(0xab);
  });

  it('skips unknown fields of every wire type and keeps the last of a repeated field', () => {
    const frame = FRAMES[0] as ChunkFrameFields;
    const unknown = Buffer.from([
      (9 << 3) | 0, 0x96, 0x01, // varint 150
      (10 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
      (11 << 3) | 2, 3, 0x61, 0x62, 0x63, // 3 bytes
      (12 << 3) | 5, 1, 2, 3, 4, // fixed32
      (3 << 3) | 0, 9, // from_rank again: the last value wins
    ]);
    const decoded = decodeChunkFrame(Buffer.concat([reference.requestSerialize(frame), unknown]));
    expect(fields(decoded)).toEqual(fields({ ...frame, fromRank: 9 }));
    expect(reference.requestDeserialize(Buffer.concat([encodeChunkFrame(frame), unknown])).fromRank).toBe(9);
  });

  it('rejects truncated and mistyped input', () => {
    const encoded = encodeChunkFrame(FRAMES[0] as ChunkFrameFields);
    expect(() => decodeChunkFrame(encoded.subarray(0, encoded.length - 1))).toThrow(/truncated/);
    expect(() => decodeChunkFrame(Buffer.from([(2 << 3) | 0, 0x80]))).toThrow(/truncated/);
    expect(() => decodeChunkFrame(Buffer.from([(7 << 3) | 0, 1]))).toThrow(/wire type/);
  });
});
