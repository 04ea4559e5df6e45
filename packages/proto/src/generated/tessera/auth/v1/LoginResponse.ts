// Original file: proto/tessera/auth/v1/auth.proto

import type { User as _tessera_auth_v1_User, User__Output as _tessera_auth_v1_User__Output } from '../../../tessera/auth/v1/User.ts';

export interface LoginResponse {
  'sessionToken'?: (string);
  'expiresAt'?: (string);
  'user'?: (_tessera_auth_v1_User | null);
}

export interface LoginResponse__Output {
  'sessionToken': (string);
  'expiresAt': (string);
  'user': (_tessera_auth_v1_User__Output | null);
}
