import * as grpc from '@grpc/grpc-js';

/** What a Tessera call can fail with, as the client sees it. Branch on `kind`, not on the class. */
export type ClientErrorKind =
  | 'Unauthenticated'
  | 'PermissionDenied'
  | 'InvalidArgument'
  | 'AlreadyExists'
  | 'NotFound'
  | 'FailedPrecondition'
  | 'ResourceExhausted'
  | 'Unavailable'
  | 'DeadlineExceeded'
  | 'Cancelled'
  | 'DataLoss'
  | 'Internal';

export class TesseraClientError extends Error {
  constructor(
    readonly kind: ClientErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TesseraClientError';
  }
}

const KIND_BY_STATUS: Partial<Record<grpc.status, ClientErrorKind>> = {
  [grpc.status.UNAUTHENTICATED]: 'Unauthenticated',
  [grpc.status.PERMISSION_DENIED]: 'PermissionDenied',
  [grpc.status.INVALID_ARGUMENT]: 'InvalidArgument',
  [grpc.status.ALREADY_EXISTS]: 'AlreadyExists',
  [grpc.status.NOT_FOUND]: 'NotFound',
  [grpc.status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [grpc.status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [grpc.status.UNAVAILABLE]: 'Unavailable',
  [grpc.status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [grpc.status.CANCELLED]: 'Cancelled',
  [grpc.status.DATA_LOSS]: 'DataLoss',
};

/** The one place gRPC statuses become client errors. */
export function fromGrpcError(err: unknown): TesseraClientError {
  if (err instanceof TesseraClientError) return err;
  const status = (err as Partial<grpc.ServiceError> | undefined)?.code;
  const details = (err as Partial<grpc.ServiceError> | undefined)?.details ?? (err instanceof Error ? err.message : String(err));
  const kind = (status !== undefined && KIND_BY_STATUS[status]) || 'Internal';
  return new TesseraClientError(kind, details, { cause: err });
}
