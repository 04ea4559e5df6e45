// Original file: proto/tessera/jobs/v1/jobs.proto


export interface UploadDatasetHeader {
  'name'?: (string);
  'kind'?: (string);
  'fileName'?: (string);
  'sha256'?: (string);
  'imageHeight'?: (number);
  'imageWidth'?: (number);
  'className'?: (string);
  'modality'?: (string);
}

export interface UploadDatasetHeader__Output {
  'name': (string);
  'kind': (string);
  'fileName': (string);
  'sha256': (string);
  'imageHeight': (number);
  'imageWidth': (number);
  'className': (string);
  'modality': (string);
}
