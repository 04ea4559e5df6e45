// Original file: proto/tessera/workers/v1/workers.proto


export interface StreamAssignmentsRequest {
  'workerId'?: (string);
}

export interface StreamAssignmentsRequest__Output {
  'workerId': (string);
}
