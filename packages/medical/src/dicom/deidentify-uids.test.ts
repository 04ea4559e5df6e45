import { describe, expect, it } from 'vitest';
import { createDeidentifyKey, createKeyedMaps } from './deidentify-uids.ts';

const uid = '1.2.840.113619.2.30.1.1762295590.1623.978668950.109';

describe('keyed UID and pseudonym maps', () => {
  it('maps one UID to one 2.25 UID under one key, and differently under another', () => {
    const a = createKeyedMaps(new Uint8Array(32).fill(1));
    const b = createKeyedMaps(new Uint8Array(32).fill(2));
    expect(a.remapUid(uid)).toBe(a.remapUid(uid));
    expect(a.remapUid(uid)).not.toBe(b.remapUid(uid));
    expect(a.remapUid(uid)).not.toBe(a.remapUid(`${uid}0`));
  });

  it('ignores UI padding', () => {
    const maps = createKeyedMaps(createDeidentifyKey());
    expect(maps.remapUid(`${uid}\0`)).toBe(maps.remapUid(uid));
  });

  it('writes valid UIDs: 2.25 and a version-8 UUID as a decimal, within 64 characters', () => {
    const maps = createKeyedMaps(createDeidentifyKey());
    for (let i = 0; i < 200; i += 1) {
      const mapped = maps.remapUid(`1.2.3.${i}`);
      expect(mapped).toMatch(/^2\.25\.(0|[1-9]\d*)$/u);
      expect(mapped.length).toBeLessThanOrEqual(64);
      const hex = BigInt(mapped.slice(5)).toString(16).padStart(32, '0');
      expect(hex[12]).toBe('8');
      expect(['8', '9', 'a', 'b']).toContain(hex[16]);
    }
  });

  it('pseudonymizes per attribute, stably, without the original in it', () => {
    const maps = createKeyedMaps(new Uint8Array(16).fill(3));
    expect(maps.pseudonym('00100020', '2178309')).toBe(maps.pseudonym('00100020', '2178309'));
    expect(maps.pseudonym('00100020', '2178309')).toMatch(/^ANON-[0-9A-F]{16}$/u);
    expect(maps.pseudonym('00100020', '2178309')).not.toBe(maps.pseudonym('00100021', '2178309'));
  });

  it('refuses a key shorter than 128 bits', () => {
    expect(() => createKeyedMaps(new Uint8Array(15))).toThrow(/at least 16/u);
  });
});
