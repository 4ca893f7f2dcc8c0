import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { errorAnswer } from '../platform/errors/http-error.filter';
import { requestIdOf } from '../platform/logging/request-id';
import { consoleLocale, redirect, sendConsoleJson, sendConsolePage, wantsConsoleJson } from './console-http';
import { consoleErrorPage } from './console-pages';
import type { ConsoleRequest } from './console-session.guard';

/**
 * Every console error takes its status from platform/errors/error-status.ts (through the app's errorAnswer),
 * and is shown as a console page in the operator's language. Two exceptions: a page without a
 * session sends the browser to sign in (303), and the JSON routes answer with the error JSON.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ConsoleErrorFilter.name);

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent) return;
    const answer = errorAnswer(exception, requestIdOf(req), this.logger);
    if (answer.retryAfter !== undefined) res.header('Retry-After', answer.retryAfter);
    if (wantsConsoleJson(req)) return sendConsoleJson(res, answer.status, answer.body);
    const { code, message } = answer.body.error;
    if (code === 'UNAUTHENTICATED') return redirect(res, '/console/login');
    const locale = consoleLocale(req);
    const session = req.consoleSession;
    sendConsolePage(
      res,
      answer.status,
      (nonce) =>
        consoleErrorPage(
          {
            nonce,
            csrfToken: session?.csrfToken,
            locale,
            timeZone: this.config.consoleTimeZone ?? 'Asia/Shanghai',
            now: new Date(),
            path: req.url,
          },
          answer.status,
          code,
          message,
          session !== undefined,
        ),
      locale,
    );
  }
}
