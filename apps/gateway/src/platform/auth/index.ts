export { AuthModule } from './auth.module';
export { ApiKeyGuard } from './api-key.guard';
export {
  Public,
  OperatorOnly,
  TenantScoped,
  OwnerScoped,
  TokenReader,
  TenantOrTokenKey,
  CurrentCaller,
  CurrentTokenReader,
  CurrentTenant,
  type RouteAccess,
  type RequestWithCaller,
} from './decorators';
export type { AnyCaller, Caller, TokenKeyCaller } from './caller';
export { UnauthenticatedError, ForbiddenError } from './auth.errors';
export { generateTenantApiKey, generateTokenKey, hashApiKey, tenantKeyId } from './api-keys';
export { TokenKeysRepository, type TokenKeyRecord } from './token-keys.repository';
