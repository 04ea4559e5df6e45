// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ReadSegmentationCaseRequest {
  'dataset'?: (string);
  'sha256'?: (string);
  'caseId'?: (string);
  'predictionJobId'?: (string);
}

export interface ReadSegmentationCaseRequest__Output {
  'dataset': (string);
  'sha256': (string);
  'caseId': (string);
  'predictionJobId': (string);
}
