// Original file: proto/tessera/jobs/v1/jobs.proto


export interface PreviewRow {
  'cells'?: (string)[];
}

export interface PreviewRow__Output {
  'cells': (string)[];
}
