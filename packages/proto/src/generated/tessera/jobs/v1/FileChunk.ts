// Original file: proto/tessera/jobs/v1/jobs.proto


export interface FileChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface FileChunk__Output {
  'data': (Buffer);
}
