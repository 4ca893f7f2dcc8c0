import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { Equals, IsString, Matches, validateSync } from 'class-validator';
import { PushRejectedError } from './push-rejected.error';

/**
 * The query WeChat signs a push with. WeChat also sends fields we do not use (`signature`),
 * so this is read by its own decorator rather than the global pipe (which rejects unknown
 * properties); anything malformed is a rejected push (401), never a 400.
 */
export class PushQuery {
  @Equals('aes', { message: 'encrypt_type must be aes' })
  encrypt_type: string;

  @IsString({ message: 'timestamp missing or malformed' })
  @Matches(/^\d{1,12}$/, { message: 'timestamp missing or malformed' })
  timestamp: string;

  @IsString({ message: 'nonce missing or malformed' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'nonce missing or malformed' })
  nonce: string;

  @IsString({ message: 'msg_signature missing or malformed' })
  @Matches(/^[0-9a-fA-F]{40}$/, { message: 'msg_signature missing or malformed' })
  msg_signature: string;
}

/** Checked in this order, so the reason names the first problem as it always has. */
const FIELD_ORDER: (keyof PushQuery)[] = ['encrypt_type', 'timestamp', 'nonce', 'msg_signature'];

export function parsePushQuery(query: Record<string, unknown>): PushQuery {
  const dto = plainToInstance(PushQuery, {
    encrypt_type: query.encrypt_type,
    timestamp: query.timestamp,
    nonce: query.nonce,
    msg_signature: query.msg_signature,
  });
  const errors = validateSync(dto);
  for (const field of FIELD_ORDER) {
    const e = errors.find((x) => x.property === field);
    if (e) throw new PushRejectedError(Object.values(e.constraints ?? {})[0] ?? `${field} malformed`);
  }
  return dto;
}

/** `@SignedPushQuery() query: PushQuery` on the push route. */
export const SignedPushQuery = createParamDecorator((_: unknown, ctx: ExecutionContext): PushQuery =>
  parsePushQuery(ctx.switchToHttp().getRequest<{ query: Record<string, unknown> }>().query),
);
