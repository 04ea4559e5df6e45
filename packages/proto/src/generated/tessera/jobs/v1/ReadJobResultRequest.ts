// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ReadJobResultRequest {
  'jobId'?: (string);
}

export interface ReadJobResultRequest__Output {
  'jobId': (string);
}
