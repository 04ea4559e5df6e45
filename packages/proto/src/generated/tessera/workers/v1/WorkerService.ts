// Original file: proto/tessera/workers/v1/workers.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AssignmentMessage as _tessera_workers_v1_AssignmentMessage, AssignmentMessage__Output as _tessera_workers_v1_AssignmentMessage__Output } from '../../../tessera/workers/v1/AssignmentMessage.ts';
import type { HeartbeatRequest as _tessera_workers_v1_HeartbeatRequest, HeartbeatRequest__Output as _tessera_workers_v1_HeartbeatRequest__Output } from '../../../tessera/workers/v1/HeartbeatRequest.ts';
import type { HeartbeatResponse as _tessera_workers_v1_HeartbeatResponse, HeartbeatResponse__Output as _tessera_workers_v1_HeartbeatResponse__Output } from '../../../tessera/workers/v1/HeartbeatResponse.ts';
import type { ProgressAck as _tessera_workers_v1_ProgressAck, ProgressAck__Output as _tessera_workers_v1_ProgressAck__Output } from '../../../tessera/workers/v1/ProgressAck.ts';
import type { ProgressReport as _tessera_workers_v1_ProgressReport, ProgressReport__Output as _tessera_workers_v1_ProgressReport__Output } from '../../../tessera/workers/v1/ProgressReport.ts';
import type { RegisterRequest as _tessera_workers_v1_RegisterRequest, RegisterRequest__Output as _tessera_workers_v1_RegisterRequest__Output } from '../../../tessera/workers/v1/RegisterRequest.ts';
import type { RegisterResponse as _tessera_workers_v1_RegisterResponse, RegisterResponse__Output as _tessera_workers_v1_RegisterResponse__Output } from '../../../tessera/workers/v1/RegisterResponse.ts';
import type { StreamAssignmentsRequest as _tessera_workers_v1_StreamAssignmentsRequest, StreamAssignmentsRequest__Output as _tessera_workers_v1_StreamAssignmentsRequest__Output } from '../../../tessera/workers/v1/StreamAssignmentsRequest.ts';

export interface WorkerServiceClient extends grpc.Client {
  Heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _tessera_workers_v1_HeartbeatRequest, callback: grpc.requestCallback<_tessera_workers_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _tessera_workers_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _tessera_workers_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _tessera_workers_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _tessera_workers_v1_RegisterRequest, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _tessera_workers_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _tessera_workers_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _tessera_workers_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _tessera_workers_v1_RegisterRequest, callback: grpc.requestCallback<_tessera_workers_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  ReportProgress(argument: _tessera_workers_v1_ProgressReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _tessera_workers_v1_ProgressReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _tessera_workers_v1_ProgressReport, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  ReportProgress(argument: _tessera_workers_v1_ProgressReport, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _tessera_workers_v1_ProgressReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _tessera_workers_v1_ProgressReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _tessera_workers_v1_ProgressReport, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  reportProgress(argument: _tessera_workers_v1_ProgressReport, callback: grpc.requestCallback<_tessera_workers_v1_ProgressAck__Output>): grpc.ClientUnaryCall;
  
  StreamAssignments(argument: _tessera_workers_v1_StreamAssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_workers_v1_AssignmentMessage__Output>;
  StreamAssignments(argument: _tessera_workers_v1_StreamAssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_workers_v1_AssignmentMessage__Output>;
  streamAssignments(argument: _tessera_workers_v1_StreamAssignmentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_workers_v1_AssignmentMessage__Output>;
  streamAssignments(argument: _tessera_workers_v1_StreamAssignmentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_workers_v1_AssignmentMessage__Output>;
  
}

export interface WorkerServiceHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: grpc.handleUnaryCall<_tessera_workers_v1_HeartbeatRequest__Output, _tessera_workers_v1_HeartbeatResponse>;
  
  Register: grpc.handleUnaryCall<_tessera_workers_v1_RegisterRequest__Output, _tessera_workers_v1_RegisterResponse>;
  
  ReportProgress: grpc.handleUnaryCall<_tessera_workers_v1_ProgressReport__Output, _tessera_workers_v1_ProgressAck>;
  
  StreamAssignments: grpc.handleServerStreamingCall<_tessera_workers_v1_StreamAssignmentsRequest__Output, _tessera_workers_v1_AssignmentMessage>;
  
}

export interface WorkerServiceDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_tessera_workers_v1_HeartbeatRequest, _tessera_workers_v1_HeartbeatResponse, _tessera_workers_v1_HeartbeatRequest__Output, _tessera_workers_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_tessera_workers_v1_RegisterRequest, _tessera_workers_v1_RegisterResponse, _tessera_workers_v1_RegisterRequest__Output, _tessera_workers_v1_RegisterResponse__Output>
  ReportProgress: MethodDefinition<_tessera_workers_v1_ProgressReport, _tessera_workers_v1_ProgressAck, _tessera_workers_v1_ProgressReport__Output, _tessera_workers_v1_ProgressAck__Output>
  StreamAssignments: MethodDefinition<_tessera_workers_v1_StreamAssignmentsRequest, _tessera_workers_v1_AssignmentMessage, _tessera_workers_v1_StreamAssignmentsRequest__Output, _tessera_workers_v1_AssignmentMessage__Output>
}
