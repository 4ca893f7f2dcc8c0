import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiParam } from '@nestjs/swagger';
import type { TenantId } from '../../tenants/tenant-id';
import type { AnyCaller, Caller } from './caller';

export const ROUTE_ACCESS = 'wtg:route-access';

/**
 * public: no key (onboarding page, WeChat callback and pushes: they carry their own credential);
 * operator: operator keys only; tenant: an operator key or the key of the `:tenantId` in the path;
 * token: an operator key or a token key of the `:tenantId` (routes handing out its authorizer token);
 * tenant_or_token: an operator key, the `:tenantId`'s key or one of its token keys (JS-SDK signatures).
 * owner: a route served at two paths, the operator's collection (no `:tenantId`: operator keys only)
 * and each tenant's (`:tenantId`: as tenant); the path decides, the handler reads which it is.
 * A route with no decorator is operator-only, so a forgotten decorator fails closed.
 */
export type RouteAccess = 'public' | 'operator' | 'tenant' | 'token' | 'tenant_or_token' | 'owner';

export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

export const OperatorOnly = () => applyDecorators(SetMetadata(ROUTE_ACCESS, 'operator' satisfies RouteAccess), ApiBearerAuth());

/**
 * The route must have a `:tenantId` path parameter; the guard resolves and checks it, and
 * `@CurrentTenant()` hands the handler the normalised id (so the path param is documented here).
 */
export const TenantScoped = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'tenant' satisfies RouteAccess),
    ApiBearerAuth(),
    ApiParam({ name: 'tenantId', format: 'uuid' }),
  );

/**
 * A controller serving the operator's collection and each tenant's (`@Controller([path, tenantPath])`):
 * operator-only without a `:tenantId`, tenant-scoped with one. The `:tenantId` parameter is documented
 * here and dropped from the operations whose path has none (platform/openapi/path-aliases.ts).
 */
export const OwnerScoped = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'owner' satisfies RouteAccess),
    ApiBearerAuth(),
    ApiParam({ name: 'tenantId', format: 'uuid' }),
  );

/** A tenant route that hands out the tenant's token: operator keys and that tenant's token keys only. */
export const TokenReader = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'token' satisfies RouteAccess),
    ApiBearerAuth(),
    ApiParam({ name: 'tenantId', format: 'uuid' }),
  );

/** A tenant route any of the tenant's keys may use (its tenant key or a token key), and operators: use @CurrentTokenReader(). */
export const TenantOrTokenKey = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'tenant_or_token' satisfies RouteAccess),
    ApiBearerAuth(),
    ApiParam({ name: 'tenantId', format: 'uuid' }),
  );

export interface RequestWithCaller {
  caller?: AnyCaller;
  /** Set by the guard on every keyed route with a `:tenantId` (on tenant-scoped ones, once the caller may see it). */
  tenantId?: TenantId;
}

/** The `:tenantId` of a keyed route, checked and normalised once by the API key guard. */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): TenantId => {
  const tenantId = ctx.switchToHttp().getRequest<RequestWithCaller>().tenantId;
  if (!tenantId) throw new Error('@CurrentTenant() used on a route without a :tenantId the API key guard resolved');
  return tenantId;
});

export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('@CurrentCaller() used on a route the API key guard did not resolve');
  // The guard lets token keys through to @TokenReader() routes only, which use @CurrentTokenReader().
  if (caller.actor === 'token_key') throw new Error('@CurrentCaller() used on a route a token key reached');
  return caller;
});

/** The caller of a @TokenReader() route: an operator or the tenant's token key. */
export const CurrentTokenReader = createParamDecorator((_data: unknown, ctx: ExecutionContext): AnyCaller => {
  const caller = ctx.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('@CurrentTokenReader() used on a route the API key guard did not resolve');
  return caller;
});
