import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `job-` + 9 base-36 digits of milliseconds since 1970 + 6 random base-36 characters, e.g. `job-0mihq3k2x7f9a2cq`.
 * Ids sort by creation time (to the millisecond; fixed width until the year 5188), stay short enough to type, and
 * 36^6 = 2.2e9 random values make a collision within one millisecond negligible.
 */
export function newJobId(nowMs: number = Date.now()): string {
  return `job-${nowMs.toString(36).padStart(9, '0')}${randomBase36(6)}`;
}

/** Random id for rows nobody types (API tokens). */
export function newRowId(prefix: string): string {
  return `${prefix}-${randomBase36(16)}`;
}

function randomBase36(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 36 = 4: the first four characters are 1/64 more likely; harmless for ids that only need to be unique.
  for (const byte of bytes) out += ALPHABET[byte % 36];
  return out;
}
