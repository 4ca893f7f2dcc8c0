import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform } from '@nestjs/common';
import { BlacklistChangeRequest } from './dto/blacklist.dto';
import { assertOnlyKeys, SYNC_MAX_OPENIDS, validateOpenIds } from './openid-validation';

/**
 * The JSON body, handed to the pipes given to it and to nothing else: the global
 * ValidationPipe does not run on custom parameter decorators (validateCustomDecorators is
 * off), which keeps a million openids away from class-transformer and class-validator. Use it
 * only with a pipe that validates the whole body.
 */
export const OpenIdsBody = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<{ body?: unknown }>().body,
);

/** `{ openids }` of the synchronous routes, checked by the fast loop (openid-validation.ts). */
@Injectable()
export class BlacklistChangeBodyPipe implements PipeTransform<unknown, BlacklistChangeRequest> {
  transform(body: unknown): BlacklistChangeRequest {
    const fields = assertOnlyKeys(body, ['openids']);
    return Object.assign(new BlacklistChangeRequest(), { openids: validateOpenIds(fields.openids, SYNC_MAX_OPENIDS) });
  }
}
