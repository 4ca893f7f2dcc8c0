import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { IsNumberString, IsString, Length, MaxLength, validateSync } from 'class-validator';

/**
 * What WeChat's authorization page appends to our redirect_uri. WeChat may add parameters of
 * its own, and a missing or garbled value must still get the merchant a page (never a 400),
 * so this is read by its own decorator, not the global pipe: an invalid field reads as absent.
 */
export class AuthorizationCallbackQuery {
  @IsString()
  @MaxLength(128)
  session?: string;

  @IsString()
  @Length(1, 512)
  auth_code?: string;

  /** Seconds the code stays valid; informational (the code is exchanged at once). */
  @IsNumberString({ no_symbols: true })
  expires_in?: string;
}

export function parseAuthorizationCallbackQuery(query: Record<string, unknown>): AuthorizationCallbackQuery {
  const dto = plainToInstance(AuthorizationCallbackQuery, {
    session: query.session,
    auth_code: query.auth_code,
    expires_in: query.expires_in,
  });
  for (const e of validateSync(dto)) delete dto[e.property as keyof AuthorizationCallbackQuery];
  return dto;
}

/** `@CallbackQuery() query: AuthorizationCallbackQuery` on the callback route. */
export const CallbackQuery = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthorizationCallbackQuery =>
  parseAuthorizationCallbackQuery(ctx.switchToHttp().getRequest<{ query: Record<string, unknown> }>().query),
);
