import { createHmac, randomBytes } from 'node:crypto';

/** Maps originals to replacements that are stable within one data set and unlinkable without its key. */
export interface DeidentifyKeyedMaps {
  /** A `2.25.<decimal>` UID for an original UID; the same original always gives the same UID under one key. */
  remapUid(uid: string): string;
  /** A pseudonym (`ANON-` and 16 hex digits) for an identifier such as PatientID, stable under one key. */
  pseudonym(attribute: string, value: string): string;
}

/** Bytes of key a data set needs at least: 128 bits, the width of the UIDs it makes. */
export const minimumDeidentifyKeyBytes = 16;

/** A fresh random key for one data set: 256 bits from the OS's CSPRNG. */
export function createDeidentifyKey(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

// UIDs are compared without their padding: a UI value may end in a NUL to reach even length (PS3.5 9.1), and a
// reader may or may not strip it, so "1.2.3\0" and "1.2.3" must map alike.
function normalizeUid(uid: string): string {
  return uid.replace(/[\0 ]+$/u, '').trim();
}

/**
 * Keyed maps over HMAC-SHA-256. A UID becomes the first 128 bits of HMAC(key, "uid\0" + uid), marked as an RFC 9562
 * version-8 UUID and written under the `2.25` arc (ITU-T X.667) as a decimal: at most 44 characters, well within
 * UI's 64. Whoever holds the key can recompute the mapping; the key must therefore never be stored with the data set.
 * One HMAC per call (microseconds); callers that see a UID many times need no cache.
 */
export function createKeyedMaps(key: Uint8Array): DeidentifyKeyedMaps {
  if (key.byteLength < minimumDeidentifyKeyBytes) {
    throw new RangeError(`de-identification key: ${key.byteLength} bytes, need at least ${minimumDeidentifyKeyBytes}`);
  }
  const keyCopy = Buffer.from(key);
  const mac = (domain: string, value: string): Buffer => createHmac('sha256', keyCopy).update(`${domain}\0${value}`, 'utf8').digest();
  return {
    remapUid(uid: string): string {
      const bytes = mac('uid', normalizeUid(uid)).subarray(0, 16);
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
    },
    pseudonym(attribute: string, value: string): string {
      return `ANON-${mac(`pseudonym:${attribute}`, value.trim()).subarray(0, 8).toString('hex').toUpperCase()}`;
    },
  };
}
