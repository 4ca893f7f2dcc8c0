import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Caller } from './caller';

export const ROUTE_ACCESS = 'wtg:route-access';

/**
 * public: no key (onboarding page, WeChat callback and pushes: they carry their own credential);
 * operator: operator keys only; tenant: an operator key or the key of the `:tenantId` in the path.
 * A route with no decorator is operator-only, so a forgotten decorator fails closed.
 */
export type RouteAccess = 'public' | 'operator' | 'tenant';

export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

export const OperatorOnly = () => applyDecorators(SetMetadata(ROUTE_ACCESS, 'operator' satisfies RouteAccess), ApiBearerAuth());

/** The route must have a `:tenantId` path parameter; the guard resolves and checks it. */
export const TenantScoped = () => applyDecorators(SetMetadata(ROUTE_ACCESS, 'tenant' satisfies RouteAccess), ApiBearerAuth());

export interface RequestWithCaller {
  caller?: Caller;
}

export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('@CurrentCaller() used on a route the API key guard did not resolve');
  return caller;
});
