import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lowercase hex sha256 of `bytes`: the content address of data sets and the integrity check of checkpoint parts. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True for a 64-character lowercase hex sha256, the only form Tessera writes into keys and manifests. */
export function isSha256Hex(value: unknown): boolean {
  return typeof value === 'string' && SHA256_HEX.test(value);
}
