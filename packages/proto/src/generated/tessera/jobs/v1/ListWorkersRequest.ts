// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ListWorkersRequest {
}

export interface ListWorkersRequest__Output {
}
