// Original file: proto/tessera/jobs/v1/jobs.proto


export interface PreviewDatasetRequest {
  'name'?: (string);
  'sha256'?: (string);
  'rows'?: (number);
}

export interface PreviewDatasetRequest__Output {
  'name': (string);
  'sha256': (string);
  'rows': (number);
}
