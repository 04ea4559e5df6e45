// Original file: proto/tessera/auth/v1/auth.proto


export interface CreateUserRequest {
  'username'?: (string);
  'password'?: (string);
  'role'?: (string);
}

export interface CreateUserRequest__Output {
  'username': (string);
  'password': (string);
  'role': (string);
}
