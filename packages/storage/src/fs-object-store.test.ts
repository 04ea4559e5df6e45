import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from './fs-object-store.ts';
import { RESERVED_KEY_SEGMENT } from './object-store.ts';
import { describeObjectStoreConformance } from './object-store-conformance.ts';

describeObjectStoreConformance('FsObjectStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-fs-store-'));
  return { store: new FsObjectStore(path.join(dir, 'objects')), dispose: () => rm(dir, { recursive: true, force: true }) };
});

describe('FsObjectStore on disk', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tessera-fs-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps keys to files under its root and names the root as its location', async () => {
    const store = new FsObjectStore(dir);
    await store.put('a/b/c.bin', Uint8Array.of(1, 2));
    expect(await readdir(path.join(dir, 'a', 'b'))).toEqual(['c.bin']);
    expect(store.location).toBe(`dir:${dir}`);
  });

  it('leaves no temp files behind after puts and never lists leftovers of a crashed put', async () => {
    const store = new FsObjectStore(dir);
    await store.put('x.bin', Uint8Array.of(1));
    expect(await readdir(path.join(dir, RESERVED_KEY_SEGMENT))).toEqual([]);
    // A put that died between writing its temp file and renaming it.
    await writeFile(path.join(dir, RESERVED_KEY_SEGMENT, 'crashed.tmp'), 'half');
    expect(await store.list('')).toEqual(['x.bin']);
  });

  it('rejects a key that collides with an existing prefix, as a directory cannot be both', async () => {
    const store = new FsObjectStore(dir);
    await store.put('a/b.bin', Uint8Array.of(1));
    await expect(store.put('a', Uint8Array.of(2))).rejects.toMatchObject({ kind: 'InvalidKey', key: 'a' });
    expect(await readdir(path.join(dir, RESERVED_KEY_SEGMENT))).toEqual([]);
  });

  it('prunes directories emptied by delete, so the name can become an object again', async () => {
    const store = new FsObjectStore(dir);
    await store.put('p/q/r.bin', Uint8Array.of(1));
    await store.delete('p/q/r.bin');
    expect((await readdir(dir)).filter((name) => name !== RESERVED_KEY_SEGMENT)).toEqual([]);
    await store.put('p', Uint8Array.of(2));
    expect([...(await store.get('p'))]).toEqual([2]);
  });

  it('treats a directory as a prefix, not an object', async () => {
    const store = new FsObjectStore(dir);
    await mkdir(path.join(dir, 'only-dir'), { recursive: true });
    expect(await store.exists('only-dir')).toBe(false);
    await expect(store.get('only-dir')).rejects.toMatchObject({ kind: 'ObjectNotFound', key: 'only-dir' });
    await store.delete('only-dir');
  });

  it('reports an unreadable root as StoreUnavailable naming the location', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    const store = new FsObjectStore(path.join(file, 'objects'));
    await expect(store.put('k.bin', Uint8Array.of(1))).rejects.toMatchObject({
      kind: 'StoreUnavailable',
      location: `dir:${path.join(file, 'objects')}`,
    });
  });
});
