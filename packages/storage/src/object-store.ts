/**
 * The seam between Tessera and wherever large, immutable bytes live (data-set shards, checkpoints, artifacts).
 *
 * Keys are `/`-separated paths such as `datasets/sonar/<sha256>/manifest.json`; every implementation validates
 * them with {@link validateObjectKey} so a key that works on the in-memory fake also works on a directory and on S3.
 * Implementations: `fs-object-store.ts` (a local directory), `s3-object-store.ts` (S3/MinIO/s3rver) and
 * `memory-object-store.ts` (the unit-test fake); one conformance suite runs against all three.
 */
export interface ObjectStore {
  /** Writes the whole object; readers see the old object or the new one, never a torn mix. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Reads the whole object. Missing key → ObjectStoreError `ObjectNotFound`. */
  get(key: string): Promise<Buffer>;
  /**
   * Reads `length` bytes from `offset`; fewer when the object ends first, none when `offset` is at or past the end.
   * Missing key → ObjectStoreError `ObjectNotFound`. Costs one request, so prefer it to `get` for slices of shards.
   */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Every key that starts with `prefix` (plain string prefix, as on S3), sorted by code unit. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; deleting a missing key is not an error, so retrying a delete is safe. */
  delete(key: string): Promise<void>;
  /** Where the objects live, for logs and error messages: `dir:/abs/path` or `s3://bucket/prefix`. Never a key. */
  readonly location: string;
}

/**
 * First key segment reserved for a store's own bookkeeping (the directory store writes temp files there), so no
 * backend accepts it as a key and all backends agree on which keys are valid.
 */
export const RESERVED_KEY_SEGMENT = '.in-flight';

export type ObjectStoreErrorDetail =
  | { readonly kind: 'ObjectNotFound'; readonly key: string; readonly location: string }
  | { readonly kind: 'InvalidKey'; readonly key: string; readonly reason: string }
  | { readonly kind: 'StoreUnavailable'; readonly location: string; readonly operation: string };

/** What every ObjectStore method throws on failure. Branch on `kind`, not on `instanceof`. */
export type ObjectStoreError = Error & { readonly name: 'ObjectStoreError' } & ObjectStoreErrorDetail;

function describe(detail: ObjectStoreErrorDetail): string {
  switch (detail.kind) {
    case 'ObjectNotFound':
      return `object not found: key '${detail.key}' in ${detail.location}`;
    case 'InvalidKey':
      return `invalid object key '${detail.key}': ${detail.reason}`;
    case 'StoreUnavailable':
      return `object store ${detail.location} unavailable during ${detail.operation}`;
  }
}

/** Builds an ObjectStoreError with a readable message; `cause` keeps the underlying error (fs, network, S3). */
export function objectStoreError(detail: ObjectStoreErrorDetail, cause?: unknown): ObjectStoreError {
  const causeText = cause instanceof Error ? `: ${cause.message}` : '';
  const error = new Error(`${describe(detail)}${causeText}`, cause === undefined ? undefined : { cause });
  error.name = 'ObjectStoreError';
  return Object.assign(error, detail) as ObjectStoreError;
}

/** True for errors thrown by any ObjectStore; structural, so it holds across bundled copies of this package. */
export function isObjectStoreError(error: unknown): error is ObjectStoreError {
  return (
    error instanceof Error &&
    error.name === 'ObjectStoreError' &&
    'kind' in error &&
    (error.kind === 'ObjectNotFound' || error.kind === 'InvalidKey' || error.kind === 'StoreUnavailable')
  );
}

/** True when `error` is an ObjectStoreError of kind ObjectNotFound. */
export function isObjectNotFound(error: unknown): boolean {
  return isObjectStoreError(error) && error.kind === 'ObjectNotFound';
}

function segmentProblem(segment: string, index: number): string | undefined {
  if (segment === '') return 'empty path segment';
  if (segment === '.' || segment === '..') return `'${segment}' segments are not allowed`;
  if (index === 0 && segment === RESERVED_KEY_SEGMENT) return `'${RESERVED_KEY_SEGMENT}' is reserved for the store`;
  return undefined;
}

function keyProblem(key: string, allowOpenEnd: boolean): string | undefined {
  if (key.startsWith('/')) return 'absolute keys are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed (use /)';
  if (key.includes('\0')) return 'NUL characters are not allowed';
  if (Buffer.byteLength(key, 'utf8') > 1024) return 'longer than 1024 bytes';
  const segments = key.split('/');
  for (const [index, segment] of segments.entries()) {
    const isLast = index === segments.length - 1;
    // A prefix may end in '/' ("jobs/abc/") or in a partial segment ("jobs/ab"); a key may not.
    if (allowOpenEnd && isLast && segment === '') continue;
    const problem = segmentProblem(segment, index);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Throws ObjectStoreError `InvalidKey` unless `key` is a relative `/`-path without empty, `.` or `..` segments. */
export function validateObjectKey(key: string): void {
  const problem = key === '' ? 'empty key' : keyProblem(key, false);
  if (problem !== undefined) throw objectStoreError({ kind: 'InvalidKey', key, reason: problem });
}

/** Like {@link validateObjectKey} but for `list` prefixes: `''` lists everything and a trailing `/` is allowed. */
export function validateObjectKeyPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix, true);
  if (problem !== undefined) throw objectStoreError({ kind: 'InvalidKey', key: prefix, reason: problem });
}

/** Checks `getRange` arguments the same way for every backend. */
export function validateRange(key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`getRange('${key}'): offset must be a non-negative integer, got ${offset}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`getRange('${key}'): length must be a non-negative integer, got ${length}`);
  }
}

/** Sorts keys by UTF-16 code unit, the order every backend's `list` returns. */
export function sortKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
