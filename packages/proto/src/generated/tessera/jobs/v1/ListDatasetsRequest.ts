// Original file: proto/tessera/jobs/v1/jobs.proto


export interface ListDatasetsRequest {
}

export interface ListDatasetsRequest__Output {
}
