// Original file: proto/tessera/workers/v1/workers.proto


export interface RegisterResponse {
  'workerId'?: (string);
  'heartbeatIntervalMs'?: (number);
}

export interface RegisterResponse__Output {
  'workerId': (string);
  'heartbeatIntervalMs': (number);
}
