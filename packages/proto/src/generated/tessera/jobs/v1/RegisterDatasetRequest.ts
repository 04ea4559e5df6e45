// Original file: proto/tessera/jobs/v1/jobs.proto


export interface RegisterDatasetRequest {
  'name'?: (string);
  'sha256'?: (string);
}

export interface RegisterDatasetRequest__Output {
  'name': (string);
  'sha256': (string);
}
