// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ListSegmentationCasesRequest {
  'dataset'?: (string);
  'sha256'?: (string);
  'predictionJobId'?: (string);
}

export interface ListSegmentationCasesRequest__Output {
  'dataset': (string);
  'sha256': (string);
  'predictionJobId': (string);
}
