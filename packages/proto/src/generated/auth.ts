import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AuthServiceClient as _tessera_auth_v1_AuthServiceClient, AuthServiceDefinition as _tessera_auth_v1_AuthServiceDefinition } from './tessera/auth/v1/AuthService.ts';
import type { CreateUserRequest as _tessera_auth_v1_CreateUserRequest, CreateUserRequest__Output as _tessera_auth_v1_CreateUserRequest__Output } from './tessera/auth/v1/CreateUserRequest.ts';
import type { ListUsersRequest as _tessera_auth_v1_ListUsersRequest, ListUsersRequest__Output as _tessera_auth_v1_ListUsersRequest__Output } from './tessera/auth/v1/ListUsersRequest.ts';
import type { ListUsersResponse as _tessera_auth_v1_ListUsersResponse, ListUsersResponse__Output as _tessera_auth_v1_ListUsersResponse__Output } from './tessera/auth/v1/ListUsersResponse.ts';
import type { LoginRequest as _tessera_auth_v1_LoginRequest, LoginRequest__Output as _tessera_auth_v1_LoginRequest__Output } from './tessera/auth/v1/LoginRequest.ts';
import type { LoginResponse as _tessera_auth_v1_LoginResponse, LoginResponse__Output as _tessera_auth_v1_LoginResponse__Output } from './tessera/auth/v1/LoginResponse.ts';
import type { LogoutRequest as _tessera_auth_v1_LogoutRequest, LogoutRequest__Output as _tessera_auth_v1_LogoutRequest__Output } from './tessera/auth/v1/LogoutRequest.ts';
import type { LogoutResponse as _tessera_auth_v1_LogoutResponse, LogoutResponse__Output as _tessera_auth_v1_LogoutResponse__Output } from './tessera/auth/v1/LogoutResponse.ts';
import type { User as _tessera_auth_v1_User, User__Output as _tessera_auth_v1_User__Output } from './tessera/auth/v1/User.ts';
import type { WhoAmIRequest as _tessera_auth_v1_WhoAmIRequest, WhoAmIRequest__Output as _tessera_auth_v1_WhoAmIRequest__Output } from './tessera/auth/v1/WhoAmIRequest.ts';
import type { WhoAmIResponse as _tessera_auth_v1_WhoAmIResponse, WhoAmIResponse__Output as _tessera_auth_v1_WhoAmIResponse__Output } from './tessera/auth/v1/WhoAmIResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    auth: {
      v1: {
        AuthService: SubtypeConstructor<typeof grpc.Client, _tessera_auth_v1_AuthServiceClient> & { service: _tessera_auth_v1_AuthServiceDefinition }
        CreateUserRequest: MessageTypeDefinition<_tessera_auth_v1_CreateUserRequest, _tessera_auth_v1_CreateUserRequest__Output>
        ListUsersRequest: MessageTypeDefinition<_tessera_auth_v1_ListUsersRequest, _tessera_auth_v1_ListUsersRequest__Output>
        ListUsersResponse: MessageTypeDefinition<_tessera_auth_v1_ListUsersResponse, _tessera_auth_v1_ListUsersResponse__Output>
        LoginRequest: MessageTypeDefinition<_tessera_auth_v1_LoginRequest, _tessera_auth_v1_LoginRequest__Output>
        LoginResponse: MessageTypeDefinition<_tessera_auth_v1_LoginResponse, _tessera_auth_v1_LoginResponse__Output>
        LogoutRequest: MessageTypeDefinition<_tessera_auth_v1_LogoutRequest, _tessera_auth_v1_LogoutRequest__Output>
        LogoutResponse: MessageTypeDefinition<_tessera_auth_v1_LogoutResponse, _tessera_auth_v1_LogoutResponse__Output>
        User: MessageTypeDefinition<_tessera_auth_v1_User, _tessera_auth_v1_User__Output>
        WhoAmIRequest: MessageTypeDefinition<_tessera_auth_v1_WhoAmIRequest, _tessera_auth_v1_WhoAmIRequest__Output>
        WhoAmIResponse: MessageTypeDefinition<_tessera_auth_v1_WhoAmIResponse, _tessera_auth_v1_WhoAmIResponse__Output>
      }
    }
  }
}

