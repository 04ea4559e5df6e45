// Original file: proto/tessera/auth/v1/auth.proto


export interface WhoAmIResponse {
  'username'?: (string);
  'role'?: (string);
  'tokenKind'?: (string);
  'expiresAt'?: (string);
}

export interface WhoAmIResponse__Output {
  'username': (string);
  'role': (string);
  'tokenKind': (string);
  'expiresAt': (string);
}
