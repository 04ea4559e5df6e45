/**
 * The vector each rank contributes in the multi-process ring tests: exact in float32 (small multiples of 1/4), so
 * the expected sum is known exactly whatever order the ring adds in.
 */
export function ringInput(rank: number, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (rank + 1) * 0.25 + (i % 101) - 50;
  return out;
}

/** Encodes float32 values for the IPC channel without losing bits. */
export function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
