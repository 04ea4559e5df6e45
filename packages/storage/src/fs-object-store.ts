import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore, ObjectStoreError } from './object-store.ts';
import {
  RESERVED_KEY_SEGMENT,
  objectStoreError,
  sortKeys,
  validateObjectKey,
  validateObjectKeyPrefix,
  validateRange,
} from './object-store.ts';

const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const CONFLICT_CODES = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY']);

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * ObjectStore over a local directory: key `a/b/c` is the file `<root>/a/b/c`. The default store for a single
 * machine (`.tessera/objects`). A put writes and fsyncs a temp file under `<root>/.in-flight/`, then renames it into
 * place, so a crash leaves either the old object or the new one; the cost is one fsync per object.
 *
 * Unlike S3, a directory cannot hold both the object `a` and the object `a/b`; such a put fails with `InvalidKey`.
 */
export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.location = `dir:${this.root}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.#pathOf(key);
    const tempDir = path.join(this.root, RESERVED_KEY_SEGMENT);
    const temp = path.join(tempDir, `${randomUUID()}.tmp`);
    try {
      await mkdir(tempDir, { recursive: true });
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await this.#discard(temp);
      throw this.#unavailable(`put '${key}'`, error);
    }
    try {
      await this.#moveIntoPlace(temp, target);
    } catch (error) {
      await this.#discard(temp);
      throw this.#placeError(key, error);
    }
  }

  async get(key: string): Promise<Buffer> {
    const file = this.#pathOf(key);
    try {
      return await readFile(file);
    } catch (error) {
      throw this.#readError(key, 'get', error);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const file = this.#pathOf(key);
    validateRange(key, offset, length);
    try {
      const handle = await open(file, 'r');
      try {
        const { size } = await handle.stat();
        // Cap by the bytes that exist, so a generous length never allocates more than the object holds.
        const wanted = Math.max(0, Math.min(length, size - offset));
        const buffer = Buffer.alloc(wanted);
        let filled = 0;
        while (filled < wanted) {
          const { bytesRead } = await handle.read(buffer, filled, wanted - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw this.#readError(key, 'getRange', error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.#pathOf(key);
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if (MISSING_CODES.has(errorCode(error) ?? '')) return false;
      throw this.#unavailable(`exists '${key}'`, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateObjectKeyPrefix(prefix);
    // Walk only the deepest directory the prefix names completely; filter the rest by string prefix, as S3 does.
    const baseKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    try {
      await this.#walk(baseKey, keys);
    } catch (error) {
      throw this.#unavailable(`list '${prefix}'`, error);
    }
    return sortKeys(keys.filter((key) => key.startsWith(prefix)));
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      const code = errorCode(error) ?? '';
      // Deleting a missing object is a no-op; a directory is a prefix, not an object (macOS says EPERM for it).
      if (MISSING_CODES.has(code)) return;
      if (code === 'EPERM' && !(await this.exists(key))) return;
      throw this.#unavailable(`delete '${key}'`, error);
    }
    await this.#pruneEmptyParents(path.dirname(file));
  }

  #pathOf(key: string): string {
    validateObjectKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async #moveIntoPlace(temp: string, target: string): Promise<void> {
    // A concurrent delete may prune the freshly made parent directory; one retry re-creates it.
    for (let attempt = 0; ; attempt += 1) {
      await mkdir(path.dirname(target), { recursive: true });
      try {
        await rename(temp, target);
        return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt >= 2) throw error;
      }
    }
  }

  async #walk(dirKey: string, into: string[]): Promise<void> {
    const dir = dirKey === '' ? this.root : path.join(this.root, ...dirKey.split('/'));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (MISSING_CODES.has(errorCode(error) ?? '')) return;
      throw error;
    }
    for (const entry of entries) {
      if (dirKey === '' && entry.name === RESERVED_KEY_SEGMENT) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) await this.#walk(key, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  async #pruneEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current !== this.root && current.startsWith(this.root + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        // Not empty (or already gone): the directory still holds other objects, so stop pruning here.
        return;
      }
      current = path.dirname(current);
    }
  }

  #readError(key: string, operation: string, error: unknown): ObjectStoreError {
    if (MISSING_CODES.has(errorCode(error) ?? '')) {
      return objectStoreError({ kind: 'ObjectNotFound', key, location: this.location }, error);
    }
    return this.#unavailable(`${operation} '${key}'`, error);
  }

  async #discard(temp: string): Promise<void> {
    try {
      await unlink(temp);
    } catch (error) {
      // The temp file was never created (or already renamed away): nothing to clean up.
      if (!MISSING_CODES.has(errorCode(error) ?? '')) throw this.#unavailable(`remove temp file '${temp}'`, error);
    }
  }

  #placeError(key: string, error: unknown): ObjectStoreError {
    if (CONFLICT_CODES.has(errorCode(error) ?? '')) {
      const reason = 'conflicts with an existing object or prefix of the same name in the directory store';
      return objectStoreError({ kind: 'InvalidKey', key, reason }, error);
    }
    return this.#unavailable(`put '${key}'`, error);
  }

  #unavailable(operation: string, error: unknown): ObjectStoreError {
    return objectStoreError({ kind: 'StoreUnavailable', location: this.location, operation }, error);
  }
}
