// Original file: proto/tessera/jobs/v1/jobs.proto


export interface SubmitJobRequest {
  'specJson'?: (string);
  'idempotencyKey'?: (string);
}

export interface SubmitJobRequest__Output {
  'specJson': (string);
  'idempotencyKey': (string);
}
