// Original file: proto/tessera/workers/v1/workers.proto


export interface ProgressAck {
}

export interface ProgressAck__Output {
}
