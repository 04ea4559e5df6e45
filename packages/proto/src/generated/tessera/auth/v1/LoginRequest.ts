// Original file: proto/tessera/auth/v1/auth.proto


export interface LoginRequest {
  'username'?: (string);
  'password'?: (string);
  'ttlSeconds'?: (number);
}

export interface LoginRequest__Output {
  'username': (string);
  'password': (string);
  'ttlSeconds': (number);
}
