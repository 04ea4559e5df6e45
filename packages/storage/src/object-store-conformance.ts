import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from './object-store.ts';
import { RESERVED_KEY_SEGMENT, isObjectStoreError } from './object-store.ts';

/** One isolated store for one test, and how to remove what it left behind. */
export interface ConformanceSubject {
  readonly store: ObjectStore;
  dispose(): Promise<void>;
}

async function expectObjectStoreError(promise: Promise<unknown>, kind: string, key?: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isObjectStoreError(error), `expected an ObjectStoreError, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject(key === undefined ? { kind } : { kind, key });
}

const INVALID_KEYS = ['', '/abs', 'a//b', 'a/../b', '../x', 'a/./b', 'a/', 'a\\b', `${RESERVED_KEY_SEGMENT}/x`];

/**
 * The contract every ObjectStore must keep, run against the in-memory fake and every real backend so the fake
 * cannot drift. `open` is called once per test and must return an empty, isolated store (its own directory,
 * bucket or prefix).
 */
export function describeObjectStoreConformance(name: string, open: () => Promise<ConformanceSubject>): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let subject: ConformanceSubject | undefined;
    const store = (): ObjectStore => {
      if (subject === undefined) throw new Error('conformance subject not opened');
      return subject.store;
    };

    beforeEach(async () => {
      subject = await open();
    });
    afterEach(async () => {
      await subject?.dispose();
      subject = undefined;
    });

    it('round-trips every byte value and empty objects', async () => {
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
      await store().put('blobs/all-bytes.bin', bytes);
      await store().put('blobs/empty.bin', new Uint8Array(0));
      expect([...(await store().get('blobs/all-bytes.bin'))]).toEqual([...bytes]);
      expect((await store().get('blobs/empty.bin')).byteLength).toBe(0);
    });

    it('stores a copy: later changes to the caller buffer or the returned buffer do not leak in', async () => {
      const bytes = Uint8Array.from([1, 2, 3]);
      await store().put('copy.bin', bytes);
      bytes[0] = 99;
      const first = await store().get('copy.bin');
      first[1] = 98;
      expect([...(await store().get('copy.bin'))]).toEqual([1, 2, 3]);
    });

    it('honours the view of a Uint8Array that is a slice of a larger buffer', async () => {
      const backing = Uint8Array.from([9, 9, 1, 2, 3, 9]);
      await store().put('view.bin', backing.subarray(2, 5));
      expect([...(await store().get('view.bin'))]).toEqual([1, 2, 3]);
    });

    it('overwrites an existing object whole', async () => {
      await store().put('over.txt', Buffer.from('a much longer first version'));
      await store().put('over.txt', Buffer.from('short'));
      expect((await store().get('over.txt')).toString()).toBe('short');
    });

    it('reports a missing object as ObjectNotFound naming the key', async () => {
      await expectObjectStoreError(store().get('nope/missing.bin'), 'ObjectNotFound', 'nope/missing.bin');
      await expectObjectStoreError(store().getRange('nope/missing.bin', 0, 4), 'ObjectNotFound', 'nope/missing.bin');
      await expectObjectStoreError(store().getRange('nope/missing.bin', 0, 0), 'ObjectNotFound', 'nope/missing.bin');
    });

    it('reads ranges, truncating at the end of the object', async () => {
      await store().put('range.bin', Buffer.from('0123456789'));
      expect((await store().getRange('range.bin', 0, 3)).toString()).toBe('012');
      expect((await store().getRange('range.bin', 4, 3)).toString()).toBe('456');
      expect((await store().getRange('range.bin', 7, 100)).toString()).toBe('789');
      expect((await store().getRange('range.bin', 3, 0)).byteLength).toBe(0);
      expect((await store().getRange('range.bin', 10, 5)).byteLength).toBe(0);
      expect((await store().getRange('range.bin', 50, 5)).byteLength).toBe(0);
      await expect(store().getRange('range.bin', -1, 2)).rejects.toThrow(RangeError);
      await expect(store().getRange('range.bin', 0, 1.5)).rejects.toThrow(RangeError);
    });

    it('answers exists for objects only, and delete is idempotent', async () => {
      await store().put('dir/file.txt', Buffer.from('x'));
      expect(await store().exists('dir/file.txt')).toBe(true);
      expect(await store().exists('dir/other.txt')).toBe(false);
      expect(await store().exists('dir')).toBe(false);
      await store().delete('dir/file.txt');
      expect(await store().exists('dir/file.txt')).toBe(false);
      await store().delete('dir/file.txt');
      await expectObjectStoreError(store().get('dir/file.txt'), 'ObjectNotFound', 'dir/file.txt');
    });

    it('lists every key under a plain string prefix, sorted', async () => {
      const keys = ['a/b/2.bin', 'a/b/10.bin', 'a/bc.bin', 'a/b/deep/er/x.bin', 'b/a.bin', 'a/c.bin', 'with space/é.bin'];
      for (const key of keys) await store().put(key, Buffer.from(key));
      expect(await store().list('a/b/')).toEqual(['a/b/10.bin', 'a/b/2.bin', 'a/b/deep/er/x.bin']);
      expect(await store().list('a/b')).toEqual(['a/b/10.bin', 'a/b/2.bin', 'a/b/deep/er/x.bin', 'a/bc.bin']);
      expect(await store().list('')).toEqual([...keys].sort());
      expect(await store().list('zzz/')).toEqual([]);
      expect(await store().list('a/b/2.bin')).toEqual(['a/b/2.bin']);
      expect((await store().get('with space/é.bin')).toString()).toBe('with space/é.bin');
    });

    it('keeps concurrent puts under one prefix apart', async () => {
      const keys = Array.from({ length: 16 }, (_, i) => `many/${String(i).padStart(2, '0')}.bin`);
      await Promise.all(keys.map((key, i) => store().put(key, Uint8Array.of(i))));
      expect(await store().list('many/')).toEqual(keys);
      expect([...(await store().get('many/07.bin'))]).toEqual([7]);
    });

    it('drops deleted keys from listings', async () => {
      await store().put('gone/a.bin', Uint8Array.of(1));
      await store().put('gone/b.bin', Uint8Array.of(2));
      await store().delete('gone/a.bin');
      expect(await store().list('gone/')).toEqual(['gone/b.bin']);
      await store().delete('gone/b.bin');
      expect(await store().list('')).toEqual([]);
    });

    it.each(INVALID_KEYS)('rejects the invalid key %j in every operation', async (key) => {
      await expectObjectStoreError(store().put(key, Uint8Array.of(1)), 'InvalidKey', key);
      await expectObjectStoreError(store().get(key), 'InvalidKey', key);
      await expectObjectStoreError(store().getRange(key, 0, 1), 'InvalidKey', key);
      await expectObjectStoreError(store().exists(key), 'InvalidKey', key);
      await expectObjectStoreError(store().delete(key), 'InvalidKey', key);
    });

    it('rejects list prefixes that escape or are absolute', async () => {
      await expectObjectStoreError(store().list('../'), 'InvalidKey', '../');
      await expectObjectStoreError(store().list('/a'), 'InvalidKey', '/a');
      await expectObjectStoreError(store().list('a//'), 'InvalidKey', 'a//');
    });

    it('describes its location without naming any key', async () => {
      await store().put('secret-looking/key.bin', Uint8Array.of(1));
      expect(store().location).toMatch(/^(dir:|s3:\/\/|memory:)/);
      expect(store().location).not.toContain('secret-looking');
    });
  });
}
