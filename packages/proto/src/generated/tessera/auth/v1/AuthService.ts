// Original file: proto/tessera/auth/v1/auth.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateUserRequest as _tessera_auth_v1_CreateUserRequest, CreateUserRequest__Output as _tessera_auth_v1_CreateUserRequest__Output } from '../../../tessera/auth/v1/CreateUserRequest.ts';
import type { ListUsersRequest as _tessera_auth_v1_ListUsersRequest, ListUsersRequest__Output as _tessera_auth_v1_ListUsersRequest__Output } from '../../../tessera/auth/v1/ListUsersRequest.ts';
import type { ListUsersResponse as _tessera_auth_v1_ListUsersResponse, ListUsersResponse__Output as _tessera_auth_v1_ListUsersResponse__Output } from '../../../tessera/auth/v1/ListUsersResponse.ts';
import type { LoginRequest as _tessera_auth_v1_LoginRequest, LoginRequest__Output as _tessera_auth_v1_LoginRequest__Output } from '../../../tessera/auth/v1/LoginRequest.ts';
import type { LoginResponse as _tessera_auth_v1_LoginResponse, LoginResponse__Output as _tessera_auth_v1_LoginResponse__Output } from '../../../tessera/auth/v1/LoginResponse.ts';
import type { LogoutRequest as _tessera_auth_v1_LogoutRequest, LogoutRequest__Output as _tessera_auth_v1_LogoutRequest__Output } from '../../../tessera/auth/v1/LogoutRequest.ts';
import type { LogoutResponse as _tessera_auth_v1_LogoutResponse, LogoutResponse__Output as _tessera_auth_v1_LogoutResponse__Output } from '../../../tessera/auth/v1/LogoutResponse.ts';
import type { User as _tessera_auth_v1_User, User__Output as _tessera_auth_v1_User__Output } from '../../../tessera/auth/v1/User.ts';
import type { WhoAmIRequest as _tessera_auth_v1_WhoAmIRequest, WhoAmIRequest__Output as _tessera_auth_v1_WhoAmIRequest__Output } from '../../../tessera/auth/v1/WhoAmIRequest.ts';
import type { WhoAmIResponse as _tessera_auth_v1_WhoAmIResponse, WhoAmIResponse__Output as _tessera_auth_v1_WhoAmIResponse__Output } from '../../../tessera/auth/v1/WhoAmIResponse.ts';

export interface AuthServiceClient extends grpc.Client {
  CreateUser(argument: _tessera_auth_v1_CreateUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  CreateUser(argument: _tessera_auth_v1_CreateUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  CreateUser(argument: _tessera_auth_v1_CreateUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  CreateUser(argument: _tessera_auth_v1_CreateUserRequest, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  createUser(argument: _tessera_auth_v1_CreateUserRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  createUser(argument: _tessera_auth_v1_CreateUserRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  createUser(argument: _tessera_auth_v1_CreateUserRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  createUser(argument: _tessera_auth_v1_CreateUserRequest, callback: grpc.requestCallback<_tessera_auth_v1_User__Output>): grpc.ClientUnaryCall;
  
  ListUsers(argument: _tessera_auth_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _tessera_auth_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _tessera_auth_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  ListUsers(argument: _tessera_auth_v1_ListUsersRequest, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _tessera_auth_v1_ListUsersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _tessera_auth_v1_ListUsersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _tessera_auth_v1_ListUsersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  listUsers(argument: _tessera_auth_v1_ListUsersRequest, callback: grpc.requestCallback<_tessera_auth_v1_ListUsersResponse__Output>): grpc.ClientUnaryCall;
  
  Login(argument: _tessera_auth_v1_LoginRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _tessera_auth_v1_LoginRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _tessera_auth_v1_LoginRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _tessera_auth_v1_LoginRequest, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _tessera_auth_v1_LoginRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _tessera_auth_v1_LoginRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _tessera_auth_v1_LoginRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _tessera_auth_v1_LoginRequest, callback: grpc.requestCallback<_tessera_auth_v1_LoginResponse__Output>): grpc.ClientUnaryCall;
  
  Logout(argument: _tessera_auth_v1_LogoutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  Logout(argument: _tessera_auth_v1_LogoutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  Logout(argument: _tessera_auth_v1_LogoutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  Logout(argument: _tessera_auth_v1_LogoutRequest, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  logout(argument: _tessera_auth_v1_LogoutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  logout(argument: _tessera_auth_v1_LogoutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  logout(argument: _tessera_auth_v1_LogoutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  logout(argument: _tessera_auth_v1_LogoutRequest, callback: grpc.requestCallback<_tessera_auth_v1_LogoutResponse__Output>): grpc.ClientUnaryCall;
  
  WhoAmI(argument: _tessera_auth_v1_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _tessera_auth_v1_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _tessera_auth_v1_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _tessera_auth_v1_WhoAmIRequest, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _tessera_auth_v1_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _tessera_auth_v1_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _tessera_auth_v1_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _tessera_auth_v1_WhoAmIRequest, callback: grpc.requestCallback<_tessera_auth_v1_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AuthServiceHandlers extends grpc.UntypedServiceImplementation {
  CreateUser: grpc.handleUnaryCall<_tessera_auth_v1_CreateUserRequest__Output, _tessera_auth_v1_User>;
  
  ListUsers: grpc.handleUnaryCall<_tessera_auth_v1_ListUsersRequest__Output, _tessera_auth_v1_ListUsersResponse>;
  
  Login: grpc.handleUnaryCall<_tessera_auth_v1_LoginRequest__Output, _tessera_auth_v1_LoginResponse>;
  
  Logout: grpc.handleUnaryCall<_tessera_auth_v1_LogoutRequest__Output, _tessera_auth_v1_LogoutResponse>;
  
  WhoAmI: grpc.handleUnaryCall<_tessera_auth_v1_WhoAmIRequest__Output, _tessera_auth_v1_WhoAmIResponse>;
  
}

export interface AuthServiceDefinition extends grpc.ServiceDefinition {
  CreateUser: MethodDefinition<_tessera_auth_v1_CreateUserRequest, _tessera_auth_v1_User, _tessera_auth_v1_CreateUserRequest__Output, _tessera_auth_v1_User__Output>
  ListUsers: MethodDefinition<_tessera_auth_v1_ListUsersRequest, _tessera_auth_v1_ListUsersResponse, _tessera_auth_v1_ListUsersRequest__Output, _tessera_auth_v1_ListUsersResponse__Output>
  Login: MethodDefinition<_tessera_auth_v1_LoginRequest, _tessera_auth_v1_LoginResponse, _tessera_auth_v1_LoginRequest__Output, _tessera_auth_v1_LoginResponse__Output>
  Logout: MethodDefinition<_tessera_auth_v1_LogoutRequest, _tessera_auth_v1_LogoutResponse, _tessera_auth_v1_LogoutRequest__Output, _tessera_auth_v1_LogoutResponse__Output>
  WhoAmI: MethodDefinition<_tessera_auth_v1_WhoAmIRequest, _tessera_auth_v1_WhoAmIResponse, _tessera_auth_v1_WhoAmIRequest__Output, _tessera_auth_v1_WhoAmIResponse__Output>
}
