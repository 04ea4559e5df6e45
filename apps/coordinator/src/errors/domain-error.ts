import * as grpc from '@grpc/grpc-js';

/**
 * Everything the coordinator refuses, as data. Handlers throw `CoordinatorError`; the gRPC layer maps `kind` to a
 * status code in exactly one place (`STATUS_BY_KIND`), so a new kind without a mapping fails to compile.
 */
export type DomainError =
  | { kind: 'Unauthenticated'; message: string }
  | { kind: 'PermissionDenied'; message: string }
  | { kind: 'NotASession' }
  | { kind: 'UserAlreadyExists'; username: string }
  | { kind: 'InvalidJobSpec'; field: string; message: string }
  | { kind: 'InvalidArgument'; field: string; message: string }
  | { kind: 'JobNotFound'; jobId: string }
  | { kind: 'DatasetNotFound'; name: string; sha256?: string }
  | { kind: 'DatasetObjectsMissing'; name: string; sha256: string; manifestKey: string }
  | { kind: 'CaseNotFound'; dataset: string; caseId: string }
  | { kind: 'WorkerNotFound'; workerId: string }
  | { kind: 'CheckpointNotFound'; jobId: string; step: number }
  | { kind: 'NoJobResult'; jobId: string; reason: string }
  | { kind: 'CorruptData'; what: string; message: string }
  | { kind: 'JobAlreadyEnded'; jobId: string; state: string }
  | { kind: 'StaleGeneration'; jobId: string; generation: number; current: number }
  | { kind: 'UploadTooLarge'; limitBytes: number }
  | { kind: 'Internal'; message: string };

export class CoordinatorError extends Error {
  readonly error: DomainError;
  constructor(error: DomainError, options?: { cause?: unknown }) {
    super(describeDomainError(error), options);
    this.name = 'CoordinatorError';
    this.error = error;
  }
}

export function describeDomainError(e: DomainError): string {
  switch (e.kind) {
    case 'Unauthenticated':
    case 'PermissionDenied':
      return e.message;
    case 'NotASession':
      return 'this call needs a session token (an API token has no session to end)';
    case 'UserAlreadyExists':
      return `user ${e.username} already exists`;
    case 'InvalidJobSpec':
      return `invalid job spec: ${e.field}: ${e.message}`;
    case 'InvalidArgument':
      return `invalid ${e.field}: ${e.message}`;
    case 'JobNotFound':
      return `job ${e.jobId} not found`;
    case 'DatasetObjectsMissing':
      return `no data set ${e.name}@${e.sha256} in the object store (expected ${e.manifestKey}); upload its objects first`;
    case 'DatasetNotFound':
      return `data set ${e.name}${e.sha256 ? `@${e.sha256}` : ''} is not registered`;
    case 'CaseNotFound':
      return `data set ${e.dataset} has no case ${e.caseId}`;
    case 'WorkerNotFound':
      return `worker ${e.workerId} is not registered (register again)`;
    case 'CheckpointNotFound':
      return `job ${e.jobId} has no complete checkpoint at step ${e.step}`;
    case 'NoJobResult':
      return `job ${e.jobId} has no result file: ${e.reason}`;
    case 'CorruptData':
      return `${e.what} is damaged: ${e.message}`;
    case 'JobAlreadyEnded':
      return `job ${e.jobId} already ended (${e.state})`;
    case 'StaleGeneration':
      return `job ${e.jobId} is at generation ${e.current}; generation ${e.generation} is stale`;
    case 'UploadTooLarge':
      return `upload exceeds the limit of ${e.limitBytes} bytes`;
    case 'Internal':
      return e.message;
  }
}

const STATUS_BY_KIND: Record<DomainError['kind'], grpc.status> = {
  Unauthenticated: grpc.status.UNAUTHENTICATED,
  PermissionDenied: grpc.status.PERMISSION_DENIED,
  NotASession: grpc.status.FAILED_PRECONDITION,
  UserAlreadyExists: grpc.status.ALREADY_EXISTS,
  InvalidJobSpec: grpc.status.INVALID_ARGUMENT,
  InvalidArgument: grpc.status.INVALID_ARGUMENT,
  JobNotFound: grpc.status.NOT_FOUND,
  DatasetNotFound: grpc.status.NOT_FOUND,
  DatasetObjectsMissing: grpc.status.NOT_FOUND,
  CaseNotFound: grpc.status.NOT_FOUND,
  WorkerNotFound: grpc.status.NOT_FOUND,
  CheckpointNotFound: grpc.status.NOT_FOUND,
  NoJobResult: grpc.status.FAILED_PRECONDITION,
  CorruptData: grpc.status.DATA_LOSS,
  JobAlreadyEnded: grpc.status.FAILED_PRECONDITION,
  StaleGeneration: grpc.status.FAILED_PRECONDITION,
  UploadTooLarge: grpc.status.RESOURCE_EXHAUSTED,
  Internal: grpc.status.INTERNAL,
};

/** Converts anything a handler threw into a gRPC error; unknown failures become INTERNAL with their message. */
export function toGrpcError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof Error && 'error' in err && isDomainError((err as CoordinatorError).error)) {
    const domain = (err as CoordinatorError).error;
    return { code: STATUS_BY_KIND[domain.kind], details: describeDomainError(domain) };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function isDomainError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
    && (value as { kind: string }).kind in STATUS_BY_KIND;
}
