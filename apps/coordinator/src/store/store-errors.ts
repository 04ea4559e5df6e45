/**
 * What the job store refuses, as data. Kinds that the coordinator's `DomainError` also has (JobNotFound,
 * WorkerNotFound, UserAlreadyExists) carry the same fields, so the gRPC layer maps a `JobStoreError` like its own errors.
 */
export type StoreError =
  | { kind: 'JobNotFound'; jobId: string }
  | { kind: 'WorkerNotFound'; workerId: string }
  | { kind: 'UserAlreadyExists'; username: string }
  | { kind: 'MigrationFailed'; migration: string; message: string }
  | { kind: 'MigrationChanged'; migration: string; expectedChecksum: string; actualChecksum: string };

export class JobStoreError extends Error {
  readonly error: StoreError;

  constructor(error: StoreError, options?: { cause?: unknown }) {
    super(describeStoreError(error), options);
    this.name = 'JobStoreError';
    this.error = error;
  }
}

export function describeStoreError(e: StoreError): string {
  switch (e.kind) {
    case 'JobNotFound':
      return `job ${e.jobId} not found`;
    case 'WorkerNotFound':
      return `worker ${e.workerId} is not registered (register again)`;
    case 'UserAlreadyExists':
      return `user ${e.username} already exists`;
    case 'MigrationFailed':
      return `database migration ${e.migration} failed: ${e.message}`;
    case 'MigrationChanged':
      return `database migration ${e.migration} was edited after it was applied (checksum ${e.actualChecksum}, `
        + `applied ${e.expectedChecksum}); add a new migration instead of editing an applied one`;
  }
}

/** Branches on `kind` rather than `instanceof`, so a second bundled copy of this module still matches. */
export function isStoreError<K extends StoreError['kind']>(err: unknown, kind: K): err is JobStoreError & { error: Extract<StoreError, { kind: K }> } {
  if (typeof err !== 'object' || err === null || !('error' in err)) return false;
  const inner = err.error;
  return typeof inner === 'object' && inner !== null && 'kind' in inner && inner.kind === kind;
}
