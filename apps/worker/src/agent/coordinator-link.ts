import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';
import type { AssignmentMessage__Output } from '@tessera/proto/generated/tessera/workers/v1/AssignmentMessage';
import type { ProgressReport } from '@tessera/proto/generated/tessera/workers/v1/ProgressReport';
import type { HeartbeatRequest } from '@tessera/proto/generated/tessera/workers/v1/HeartbeatRequest';
import type { RegisterRequest } from '@tessera/proto/generated/tessera/workers/v1/RegisterRequest';
import type { RegisterResponse__Output } from '@tessera/proto/generated/tessera/workers/v1/RegisterResponse';
import type { WorkerServiceClient } from '@tessera/proto/generated/tessera/workers/v1/WorkerService';

/** A refusal from the coordinator, classified by what the worker does about it. */
export type LinkError =
  | { kind: 'Unknown worker'; message: string }
  | { kind: 'Stale'; message: string }
  | { kind: 'Unauthenticated'; message: string }
  | { kind: 'Unavailable'; message: string }
  | { kind: 'Rejected'; message: string };

export class CoordinatorLinkError extends Error {
  constructor(readonly error: LinkError, options?: { cause?: unknown }) {
    super(`${error.kind}: ${error.message}`, options);
    this.name = 'CoordinatorLinkError';
  }
}

function classify(err: grpc.ServiceError): CoordinatorLinkError {
  const message = err.details || err.message;
  switch (err.code) {
    case grpc.status.NOT_FOUND:
      return new CoordinatorLinkError({ kind: 'Unknown worker', message }, { cause: err });
    case grpc.status.FAILED_PRECONDITION:
      return new CoordinatorLinkError({ kind: 'Stale', message }, { cause: err });
    case grpc.status.UNAUTHENTICATED:
      return new CoordinatorLinkError({ kind: 'Unauthenticated', message }, { cause: err });
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
      return new CoordinatorLinkError({ kind: 'Unavailable', message }, { cause: err });
    default:
      return new CoordinatorLinkError({ kind: 'Rejected', message }, { cause: err });
  }
}

/** The worker's side of tessera.workers.v1.WorkerService, with the join token on every call. */
export class CoordinatorLink {
  private readonly stub: WorkerServiceClient;
  private readonly metadata = new grpc.Metadata();

  constructor(address: string, joinToken: string) {
    const Service = contracts().workers.tessera.workers.v1.WorkerService;
    this.stub = new Service(address, grpc.credentials.createInsecure());
    this.metadata.set('authorization', `Bearer ${joinToken}`);
  }

  private call<Res>(
    timeoutMs: number,
    invoke: (metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Res) => void) => void,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke(this.metadata, { deadline: Date.now() + timeoutMs }, (err, value) => (err ? reject(classify(err)) : resolve(value as Res)));
    });
  }

  register(request: RegisterRequest): Promise<RegisterResponse__Output> {
    return this.call(10_000, (m, o, cb) => this.stub.register(request, m, o, cb));
  }

  async heartbeat(request: HeartbeatRequest): Promise<void> {
    await this.call(5_000, (m, o, cb) => this.stub.heartbeat(request, m, o, cb));
  }

  async report(request: ProgressReport): Promise<void> {
    await this.call(30_000, (m, o, cb) => this.stub.reportProgress(request, m, o, cb));
  }

  /** Opens the assignment stream; `onEnd` fires once when it closes for any reason. */
  assignments(workerId: string, onMessage: (m: AssignmentMessage__Output) => void, onEnd: (err?: CoordinatorLinkError) => void): () => void {
    const call = this.stub.streamAssignments({ workerId }, this.metadata);
    let ended = false;
    const end = (err?: CoordinatorLinkError) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    call.on('data', onMessage);
    call.on('error', (err: grpc.ServiceError) => end(classify(err)));
    call.on('end', () => end());
    return () => call.cancel();
  }

  close(): void {
    this.stub.close();
  }
}
