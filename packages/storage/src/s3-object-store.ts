import type { Readable } from 'node:stream';
import { Client } from 'minio';
import type { BucketItem } from 'minio';
import type { ObjectStore, ObjectStoreError } from './object-store.ts';
import {
  objectStoreError,
  sortKeys,
  validateObjectKey,
  validateObjectKeyPrefix,
  validateRange,
} from './object-store.ts';

export interface S3ObjectStoreConfig {
  /** `http://127.0.0.1:9000` or `https://s3.example.com`; the scheme decides TLS. */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  readonly bucket: string;
  /** Optional key prefix inside the bucket (`team-a/tessera`), so several deployments can share one bucket. */
  readonly prefix?: string;
}

const MISSING_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);
const BUCKET_EXISTS_CODES = new Set(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists']);

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Strips surrounding slashes and rejects `..`/empty segments, so the prefix can never escape its subtree. */
function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed !== '') validateObjectKey(trimmed);
  return trimmed;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function listNames(stream: AsyncIterable<BucketItem>): Promise<string[]> {
  const names: string[] = [];
  for await (const item of stream) if (item.name !== undefined) names.push(item.name);
  return names;
}

/**
 * ObjectStore over any S3-compatible service (AWS S3, MinIO, s3rver) through the MinIO client, using path-style
 * requests so plain `host:port` endpoints work. S3 makes every put atomic per object. Open it with
 * {@link S3ObjectStore.connect}, which creates the bucket if it is missing (one HEAD request when it exists).
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: Client;

  private constructor(client: Client, bucket: string, prefix: string) {
    this.#client = client;
    this.bucket = bucket;
    this.prefix = prefix;
    this.location = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  }

  /** Builds the client, checks the endpoint answers, and creates the bucket when it does not exist yet. */
  static async connect(config: S3ObjectStoreConfig): Promise<S3ObjectStore> {
    let url: URL;
    try {
      url = new URL(config.endpoint);
    } catch (error) {
      throw new Error(`S3 endpoint '${config.endpoint}' is not a URL (expected e.g. http://127.0.0.1:9000)`, {
        cause: error,
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`S3 endpoint '${config.endpoint}' must start with http:// or https://`);
    }
    const useSSL = url.protocol === 'https:';
    const client = new Client({
      endPoint: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? (useSSL ? 443 : 80) : Number(url.port),
      useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      pathStyle: true,
    });
    const store = new S3ObjectStore(client, config.bucket, normalizePrefix(config.prefix));
    await store.#ensureBucket(config.region);
    return store;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const name = this.#nameOf(key);
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    try {
      await this.#client.putObject(this.bucket, name, body, body.byteLength);
    } catch (error) {
      throw this.#unavailable(`put '${key}'`, error);
    }
  }

  async get(key: string): Promise<Buffer> {
    const name = this.#nameOf(key);
    try {
      return await readAll(await this.#client.getObject(this.bucket, name));
    } catch (error) {
      throw this.#readError(key, 'get', error);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const name = this.#nameOf(key);
    validateRange(key, offset, length);
    try {
      // The client sends no Range header for length 0 (it would read the whole object): check existence only.
      if (length === 0) {
        await this.#client.statObject(this.bucket, name);
        return Buffer.alloc(0);
      }
      return await readAll(await this.#client.getPartialObject(this.bucket, name, offset, length));
    } catch (error) {
      // S3 answers 416 InvalidRange only for an existing object when offset is at or past its end.
      if (errorCode(error) === 'InvalidRange') return Buffer.alloc(0);
      throw this.#readError(key, 'getRange', error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const name = this.#nameOf(key);
    try {
      await this.#client.statObject(this.bucket, name);
      return true;
    } catch (error) {
      if (MISSING_CODES.has(errorCode(error) ?? '')) return false;
      throw this.#unavailable(`exists '${key}'`, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateObjectKeyPrefix(prefix);
    const storePrefix = this.prefix === '' ? '' : `${this.prefix}/`;
    try {
      const names = await listNames(this.#client.listObjectsV2(this.bucket, storePrefix + prefix, true));
      return sortKeys(names.filter((name) => name.startsWith(storePrefix)).map((name) => name.slice(storePrefix.length)));
    } catch (error) {
      throw this.#unavailable(`list '${prefix}'`, error);
    }
  }

  async delete(key: string): Promise<void> {
    const name = this.#nameOf(key);
    try {
      await this.#client.removeObject(this.bucket, name);
    } catch (error) {
      if (MISSING_CODES.has(errorCode(error) ?? '')) return;
      throw this.#unavailable(`delete '${key}'`, error);
    }
  }

  /**
   * Removes the bucket if it holds no objects at all (under any prefix) and reports whether it did. For test
   * teardown and decommissioning; it never deletes objects, so it cannot destroy another deployment's data.
   */
  async removeBucketIfEmpty(): Promise<boolean> {
    try {
      const names = await listNames(this.#client.listObjectsV2(this.bucket, '', true));
      if (names.length > 0) return false;
      await this.#client.removeBucket(this.bucket);
      return true;
    } catch (error) {
      if (errorCode(error) === 'NoSuchBucket') return false;
      throw this.#unavailable(`remove bucket '${this.bucket}'`, error);
    }
  }

  async #ensureBucket(region: string): Promise<void> {
    try {
      if (await this.#client.bucketExists(this.bucket)) return;
      await this.#client.makeBucket(this.bucket, region);
    } catch (error) {
      // Two processes may race to create the bucket; losing that race is fine.
      if (BUCKET_EXISTS_CODES.has(errorCode(error) ?? '')) return;
      throw this.#unavailable(`create bucket '${this.bucket}'`, error);
    }
  }

  #nameOf(key: string): string {
    validateObjectKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  #readError(key: string, operation: string, error: unknown): ObjectStoreError {
    if (MISSING_CODES.has(errorCode(error) ?? '')) {
      return objectStoreError({ kind: 'ObjectNotFound', key, location: this.location }, error);
    }
    return this.#unavailable(`${operation} '${key}'`, error);
  }

  #unavailable(operation: string, error: unknown): ObjectStoreError {
    return objectStoreError({ kind: 'StoreUnavailable', location: this.location, operation }, error);
  }
}
