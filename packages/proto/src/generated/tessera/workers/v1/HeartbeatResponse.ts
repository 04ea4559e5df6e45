// Original file: proto/tessera/workers/v1/workers.proto


export interface HeartbeatResponse {
}

export interface HeartbeatResponse__Output {
}
