// Original file: proto/tessera/jobs/v1/jobs.proto


export interface CancelJobRequest {
  'jobId'?: (string);
  'reason'?: (string);
}

export interface CancelJobRequest__Output {
  'jobId': (string);
  'reason': (string);
}
