// Original file: proto/tessera/auth/v1/auth.proto


export interface WhoAmIRequest {
}

export interface WhoAmIRequest__Output {
}
