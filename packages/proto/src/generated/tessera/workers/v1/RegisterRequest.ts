// Original file: proto/tessera/workers/v1/workers.proto


export interface RegisterRequest {
  'workerId'?: (string);
  'host'?: (string);
  'peerAddress'?: (string);
  'backend'?: (string);
  'device'?: (string);
  'pid'?: (number);
}

export interface RegisterRequest__Output {
  'workerId': (string);
  'host': (string);
  'peerAddress': (string);
  'backend': (string);
  'device': (string);
  'pid': (number);
}
