// Original file: proto/tessera/jobs/v1/jobs.proto


export interface Thumbnail {
  'className'?: (string);
  'id'?: (string);
  'png'?: (Buffer | Uint8Array | string);
}

export interface Thumbnail__Output {
  'className': (string);
  'id': (string);
  'png': (Buffer);
}
