import type { ChunkFrame__Output } from '@tessera/proto/generated/tessera/peers/v1/ChunkFrame';

/**
 * Hand-written protobuf codec for `tessera.peers.v1.ChunkFrame`, the one message on the ring's hot path. Wire format
 * is the same as protobufjs's (fields 1-7, proto3 defaults omitted), so peers running either codec interoperate;
 * what differs is the work per frame: the encoder sizes the header first and copies `data` once into the output,
 * and the decoder returns `data` as a view into the received buffer instead of a copy.
 *
 * One liberty the protobuf spec allows: `total_bytes` (int64) may be written with up to 3 redundant varint bytes
 * (0x80 continuation bytes before the final one; parsers read 64-bit varints up to 10 bytes) so that `data` starts
 * 4-byte aligned within gRPC's framed message (5-byte gRPC prefix + header), and the receiver can view the float32
 * payload in place instead of copying it. Not the `data` length prefix: protobufjs reads 32-bit varints longer than
 * 5 bytes wrongly, as the compatibility test shows.
 */
export interface ChunkFrameFields {
  readonly jobId: string;
  readonly generation: number;
  readonly fromRank: number;
  readonly tag: string;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

/** gRPC's length-prefixed message framing: 1 flag byte and a 4-byte length before each message. */
const GRPC_PREFIX_BYTES = 5;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Encodes a frame into a fresh Buffer (header, then `data` copied once). */
export function encodeChunkFrame(frame: ChunkFrameFields): Buffer {
  const jobIdBytes = Buffer.byteLength(frame.jobId);
  const tagBytes = Buffer.byteLength(frame.tag);
  const dataBytes = frame.data.length;
  let header = 0;
  if (jobIdBytes > 0) header += 1 + varintSize(jobIdBytes) + jobIdBytes;
  if (frame.generation !== 0) header += 1 + varintSize(frame.generation);
  if (frame.fromRank !== 0) header += 1 + varintSize(frame.fromRank);
  if (tagBytes > 0) header += 1 + varintSize(tagBytes) + tagBytes;
  if (frame.offset !== 0) header += 1 + varintSize(frame.offset);
  // total_bytes is written in `totalWidth` bytes, padded (see above) so the payload lands on a multiple of 4.
  let totalWidth = frame.totalBytes === 0 ? 0 : varintSize(frame.totalBytes);
  const lengthBytes = varintSize(dataBytes);
  if (dataBytes > 0) {
    const misalignment = (GRPC_PREFIX_BYTES + header + (totalWidth === 0 ? 0 : 1 + totalWidth) + 1 + lengthBytes) % 4;
    if (misalignment !== 0) {
      // An absent total_bytes (0) costs 2 bytes to write: key and a 1-byte zero.
      const pad = totalWidth === 0 ? (4 + 4 - misalignment - 2) % 4 : 4 - misalignment;
      totalWidth = (totalWidth === 0 ? 1 : totalWidth) + pad;
    }
    header += 1 + lengthBytes;
  }
  if (totalWidth > 0) header += 1 + totalWidth;
  const out = Buffer.allocUnsafe(header + dataBytes);
  let pos = 0;
  if (jobIdBytes > 0) {
    out[pos++] = (1 << 3) | WIRE_LEN;
    pos = writeVarint(out, pos, jobIdBytes);
    pos += out.write(frame.jobId, pos, 'utf8');
  }
  if (frame.generation !== 0) {
    out[pos++] = (2 << 3) | WIRE_VARINT;
    pos = writeVarint(out, pos, frame.generation);
  }
  if (frame.fromRank !== 0) {
    out[pos++] = (3 << 3) | WIRE_VARINT;
    pos = writeVarint(out, pos, frame.fromRank);
  }
  if (tagBytes > 0) {
    out[pos++] = (4 << 3) | WIRE_LEN;
    pos = writeVarint(out, pos, tagBytes);
    pos += out.write(frame.tag, pos, 'utf8');
  }
  if (frame.offset !== 0) {
    out[pos++] = (5 << 3) | WIRE_VARINT;
    pos = writeVarint(out, pos, frame.offset);
  }
  if (totalWidth > 0) {
    out[pos++] = (6 << 3) | WIRE_VARINT;
    pos = frame.totalBytes < 0 ? writeNegativeVarint(out, pos, frame.totalBytes) : writePaddedVarint(out, pos, frame.totalBytes, totalWidth);
  }
  if (dataBytes > 0) {
    out[pos++] = (7 << 3) | WIRE_LEN;
    pos = writeVarint(out, pos, dataBytes);
    out.set(frame.data, pos);
  }
  return out;
}

/**
 * Decodes a frame; `data` is a view into `buffer` (valid as long as the caller keeps it, since gRPC allocates a
 * fresh buffer per message). Unknown fields are skipped, a repeated field's last value wins, as protobuf requires.
 * Throws on truncated or malformed input.
 */
export function decodeChunkFrame(buffer: Buffer): ChunkFrame__Output {
  const frame: ChunkFrame__Output = {
    jobId: '',
    generation: 0,
    fromRank: 0,
    tag: '',
    offset: 0,
    totalBytes: 0,
    data: EMPTY,
  };
  const reader = { buffer, pos: 0 };
  while (reader.pos < buffer.length) {
    const key = readVarint(reader);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field >= 1 && field <= 7 && wire !== expectedWireType(field)) {
      throw new Error(`ChunkFrame field ${field} has wire type ${wire}`);
    }
    switch (field) {
      case 1:
        frame.jobId = readBytes(reader).toString('utf8');
        break;
      case 2:
        frame.generation = readVarint(reader);
        break;
      case 3:
        frame.fromRank = readVarint(reader) | 0;
        break;
      case 4:
        frame.tag = readBytes(reader).toString('utf8');
        break;
      case 5:
        frame.offset = readVarint(reader);
        break;
      case 6:
        frame.totalBytes = readVarint(reader);
        break;
      case 7:
        frame.data = readBytes(reader);
        break;
      default:
        skipField(reader, wire);
    }
  }
  return frame;
}

const EMPTY = Buffer.alloc(0);

function expectedWireType(field: number): number {
  return field === 1 || field === 4 || field === 7 ? WIRE_LEN : WIRE_VARINT;
}

interface Reader {
  readonly buffer: Buffer;
  pos: number;
}

/** Bytes of the minimal varint for a non-negative safe integer; negatives take the full 10 bytes (int64). */
function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, pos: number, value: number): number {
  if (value < 0) return writeNegativeVarint(out, pos, value);
  while (value >= 128) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

/** A non-negative varint written in exactly `width` bytes (≥ its minimal size): redundant 0x80 bytes before the last. */
function writePaddedVarint(out: Buffer, pos: number, value: number, width: number): number {
  for (let i = 0; i < width - 1; i++) {
    out[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

/** Negative int32/int64 values are their 64-bit two's complement, 10 varint bytes (rare: no valid frame has one). */
function writeNegativeVarint(out: Buffer, pos: number, value: number): number {
  let bits = BigInt.asUintN(64, BigInt(value));
  for (let i = 0; i < 9; i++) {
    out[pos++] = Number(bits & 0x7fn) | 0x80;
    bits >>= 7n;
  }
  out[pos++] = Number(bits);
  return pos;
}

/** Reads a varint of up to 10 bytes as a 64-bit two's complement integer, returned as a (signed) JS number. */
function readVarint(reader: Reader): number {
  const { buffer } = reader;
  let low = 0;
  let high = 0;
  for (let i = 0; i < 10; i++) {
    const byte = buffer[reader.pos++];
    if (byte === undefined) throw new Error('ChunkFrame is truncated inside a varint');
    const bits = byte & 0x7f;
    if (i < 4) low |= bits << (7 * i);
    else if (i === 4) {
      low |= (bits & 0x0f) << 28;
      high |= bits >> 4;
    } else high |= bits << (7 * i - 32);
    if (byte < 0x80) return toNumber(low >>> 0, high >>> 0);
  }
  throw new Error('ChunkFrame has a varint longer than 10 bytes');
}

function toNumber(low: number, high: number): number {
  if (high >>> 31 === 0) return high * 2 ** 32 + low;
  // Negative: -(~value + 1), computed on the two 32-bit halves.
  const negLow = (~low + 1) >>> 0;
  const negHigh = (~high + (negLow === 0 ? 1 : 0)) >>> 0;
  return -(negHigh * 2 ** 32 + negLow);
}

function readBytes(reader: Reader): Buffer {
  const length = readVarint(reader);
  const end = reader.pos + length;
  if (length < 0 || end > reader.buffer.length) throw new Error('ChunkFrame is truncated inside a length-delimited field');
  const bytes = reader.buffer.subarray(reader.pos, end);
  reader.pos = end;
  return bytes;
}

function skipField(reader: Reader, wire: number): void {
  switch (wire) {
    case WIRE_VARINT:
      readVarint(reader);
      return;
    case WIRE_I64:
      reader.pos += 8;
      break;
    case WIRE_LEN:
      readBytes(reader);
      return;
    case WIRE_I32:
      reader.pos += 4;
      break;
    default:
      throw new Error(`ChunkFrame has an unsupported wire type ${wire}`);
  }
  if (reader.pos > reader.buffer.length) throw new Error('ChunkFrame is truncated inside an unknown field');
}
