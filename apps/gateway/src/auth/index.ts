export { AuthModule } from './auth.module';
export { ApiKeyGuard } from './api-key.guard';
export { Public, OperatorOnly, TenantScoped, CurrentCaller, CurrentTenant, type RouteAccess } from './decorators';
export type { Caller } from './caller';
export { UnauthenticatedError, ForbiddenError } from './auth.errors';
export { generateTenantApiKey, hashApiKey } from './api-keys';
