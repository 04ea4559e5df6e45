// Original file: proto/tessera/auth/v1/auth.proto


export interface ListUsersRequest {
}

export interface ListUsersRequest__Output {
}
