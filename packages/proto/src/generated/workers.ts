import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Assignment as _tessera_workers_v1_Assignment, Assignment__Output as _tessera_workers_v1_Assignment__Output } from './tessera/workers/v1/Assignment.ts';
import type { AssignmentMessage as _tessera_workers_v1_AssignmentMessage, AssignmentMessage__Output as _tessera_workers_v1_AssignmentMessage__Output } from './tessera/workers/v1/AssignmentMessage.ts';
import type { Cancellation as _tessera_workers_v1_Cancellation, Cancellation__Output as _tessera_workers_v1_Cancellation__Output } from './tessera/workers/v1/Cancellation.ts';
import type { HeartbeatRequest as _tessera_workers_v1_HeartbeatRequest, HeartbeatRequest__Output as _tessera_workers_v1_HeartbeatRequest__Output } from './tessera/workers/v1/HeartbeatRequest.ts';
import type { HeartbeatResponse as _tessera_workers_v1_HeartbeatResponse, HeartbeatResponse__Output as _tessera_workers_v1_HeartbeatResponse__Output } from './tessera/workers/v1/HeartbeatResponse.ts';
import type { MetricValue as _tessera_workers_v1_MetricValue, MetricValue__Output as _tessera_workers_v1_MetricValue__Output } from './tessera/workers/v1/MetricValue.ts';
import type { ProgressAck as _tessera_workers_v1_ProgressAck, ProgressAck__Output as _tessera_workers_v1_ProgressAck__Output } from './tessera/workers/v1/ProgressAck.ts';
import type { ProgressReport as _tessera_workers_v1_ProgressReport, ProgressReport__Output as _tessera_workers_v1_ProgressReport__Output } from './tessera/workers/v1/ProgressReport.ts';
import type { RegisterRequest as _tessera_workers_v1_RegisterRequest, RegisterRequest__Output as _tessera_workers_v1_RegisterRequest__Output } from './tessera/workers/v1/RegisterRequest.ts';
import type { RegisterResponse as _tessera_workers_v1_RegisterResponse, RegisterResponse__Output as _tessera_workers_v1_RegisterResponse__Output } from './tessera/workers/v1/RegisterResponse.ts';
import type { StreamAssignmentsRequest as _tessera_workers_v1_StreamAssignmentsRequest, StreamAssignmentsRequest__Output as _tessera_workers_v1_StreamAssignmentsRequest__Output } from './tessera/workers/v1/StreamAssignmentsRequest.ts';
import type { WorkerServiceClient as _tessera_workers_v1_WorkerServiceClient, WorkerServiceDefinition as _tessera_workers_v1_WorkerServiceDefinition } from './tessera/workers/v1/WorkerService.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    workers: {
      v1: {
        Assignment: MessageTypeDefinition<_tessera_workers_v1_Assignment, _tessera_workers_v1_Assignment__Output>
        AssignmentMessage: MessageTypeDefinition<_tessera_workers_v1_AssignmentMessage, _tessera_workers_v1_AssignmentMessage__Output>
        Cancellation: MessageTypeDefinition<_tessera_workers_v1_Cancellation, _tessera_workers_v1_Cancellation__Output>
        HeartbeatRequest: MessageTypeDefinition<_tessera_workers_v1_HeartbeatRequest, _tessera_workers_v1_HeartbeatRequest__Output>
        HeartbeatResponse: MessageTypeDefinition<_tessera_workers_v1_HeartbeatResponse, _tessera_workers_v1_HeartbeatResponse__Output>
        MetricValue: MessageTypeDefinition<_tessera_workers_v1_MetricValue, _tessera_workers_v1_MetricValue__Output>
        ProgressAck: MessageTypeDefinition<_tessera_workers_v1_ProgressAck, _tessera_workers_v1_ProgressAck__Output>
        ProgressReport: MessageTypeDefinition<_tessera_workers_v1_ProgressReport, _tessera_workers_v1_ProgressReport__Output>
        RegisterRequest: MessageTypeDefinition<_tessera_workers_v1_RegisterRequest, _tessera_workers_v1_RegisterRequest__Output>
        RegisterResponse: MessageTypeDefinition<_tessera_workers_v1_RegisterResponse, _tessera_workers_v1_RegisterResponse__Output>
        StreamAssignmentsRequest: MessageTypeDefinition<_tessera_workers_v1_StreamAssignmentsRequest, _tessera_workers_v1_StreamAssignmentsRequest__Output>
        WorkerService: SubtypeConstructor<typeof grpc.Client, _tessera_workers_v1_WorkerServiceClient> & { service: _tessera_workers_v1_WorkerServiceDefinition }
      }
    }
  }
}

