import type { ObjectStore } from './object-store.ts';
import {
  objectStoreError,
  sortKeys,
  validateObjectKey,
  validateObjectKeyPrefix,
  validateRange,
} from './object-store.ts';

/**
 * In-process ObjectStore for unit tests: a Map of copies, so callers can neither see nor cause aliasing.
 * Passes the same conformance suite as the directory and S3 stores, so tests written against it hold for them.
 */
export class MemoryObjectStore implements ObjectStore {
  readonly location: string;
  readonly #objects = new Map<string, Buffer>();

  constructor(name = 'memory') {
    this.location = `memory:${name}`;
  }

  put(key: string, data: Uint8Array): Promise<void> {
    return settle(() => {
      validateObjectKey(key);
      this.#objects.set(key, Buffer.from(data));
    });
  }

  get(key: string): Promise<Buffer> {
    return settle(() => Buffer.from(this.#require(key)));
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return settle(() => {
      validateRange(key, offset, length);
      return Buffer.from(this.#require(key).subarray(offset, offset + length));
    });
  }

  exists(key: string): Promise<boolean> {
    return settle(() => {
      validateObjectKey(key);
      return this.#objects.has(key);
    });
  }

  list(prefix: string): Promise<string[]> {
    return settle(() => {
      validateObjectKeyPrefix(prefix);
      return sortKeys([...this.#objects.keys()].filter((key) => key.startsWith(prefix)));
    });
  }

  delete(key: string): Promise<void> {
    return settle(() => {
      validateObjectKey(key);
      this.#objects.delete(key);
    });
  }

  #require(key: string): Buffer {
    validateObjectKey(key);
    const data = this.#objects.get(key);
    if (data === undefined) throw objectStoreError({ kind: 'ObjectNotFound', key, location: this.location });
    return data;
  }
}

/** Runs `work` now and reports its result or throw as a promise, as the real (I/O-bound) stores do. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
