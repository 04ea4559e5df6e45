// Original file: proto/tessera/auth/v1/auth.proto


export interface User {
  'username'?: (string);
  'role'?: (string);
  'createdAt'?: (string);
}

export interface User__Output {
  'username': (string);
  'role': (string);
  'createdAt': (string);
}
