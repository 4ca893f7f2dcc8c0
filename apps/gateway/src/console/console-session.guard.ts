import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@app/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { readForm, sameOrigin } from './console-form';
import { CONSOLE_COOKIE, type ConsoleSession, ConsoleSessions } from './console-sessions';

export type ConsoleRequest = FastifyRequest & { consoleSession?: ConsoleSession };

/** No live console session: pages send the browser to sign in, JSON routes answer 401 (platform/errors/error-status.ts). */
export class ConsoleSignInRequiredError extends DomainError<'UNAUTHENTICATED'> {
  constructor() {
    super('UNAUTHENTICATED', 'Sign in to the console.');
  }
}

/** A state-changing POST without the page's CSRF token or from another origin. */
export class ConsoleFormRejectedError extends DomainError<'FORBIDDEN'> {
  constructor() {
    super('FORBIDDEN', 'This form is stale or came from another site; reload the page.');
  }
}

/**
 * The console's one check: a valid session cookie, and for every POST the same origin and the
 * form's CSRF token too (a cross-site page can send the cookie, SameSite aside, but cannot read the token).
 */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly sessions: ConsoleSessions,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const session = this.sessions.verify(req.cookies[CONSOLE_COOKIE]);
    if (!session) throw new ConsoleSignInRequiredError();
    req.consoleSession = session;
    if (req.method === 'POST') {
      const csrf = req.headers['x-csrf-token'] ?? readForm(req).get('csrf');
      if (!sameOrigin(req, this.config.publicBaseUrl) || !this.sessions.csrfValid(session, csrf)) {
        throw new ConsoleFormRejectedError();
      }
    }
    return true;
  }
}

/** The route is for a signed-in operator (a POST also needs the same origin and the CSRF token). */
export const ConsoleOperator = () => applyDecorators(UseGuards(ConsoleSessionGuard));

/** The signed-in operator's session, as checked by ConsoleSessionGuard. */
export const CurrentConsoleSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ConsoleSession => ctx.switchToHttp().getRequest<ConsoleRequest>().consoleSession!,
);
