// Original file: proto/tessera/jobs/v1/jobs.proto


export interface UploadDatasetHeader {
  'name'?: (string);
  'kind'?: (string);
  'fileName'?: (string);
  'sha256'?: (string);
  'imageHeight'?: (number);
  'imageWidth'?: (number);
}

export interface UploadDatasetHeader__Output {
  'name': (string);
  'kind': (string);
  'fileName': (string);
  'sha256': (string);
  'imageHeight': (number);
  'imageWidth': (number);
}
