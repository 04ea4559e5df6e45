// Original file: proto/tessera/auth/v1/auth.proto

import type { User as _tessera_auth_v1_User, User__Output as _tessera_auth_v1_User__Output } from '../../../tessera/auth/v1/User.ts';

export interface ListUsersResponse {
  'users'?: (_tessera_auth_v1_User)[];
}

export interface ListUsersResponse__Output {
  'users': (_tessera_auth_v1_User__Output)[];
}
