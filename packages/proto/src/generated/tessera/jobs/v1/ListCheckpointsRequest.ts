// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ListCheckpointsRequest {
  'jobId'?: (string);
}

export interface ListCheckpointsRequest__Output {
  'jobId': (string);
}
