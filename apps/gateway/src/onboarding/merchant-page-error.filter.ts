import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Inject, Logger } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { pageBrand } from './brand';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { prefersJson } from '../platform/http/accepts';
import { HttpErrorFilter } from '../platform/errors/http-error.filter';
import { requestIdOf } from '../platform/logging/request-id';
import { rateLimitedPage, unexpectedPage } from './pages';
import { sendPage } from './send-page';

/**
 * Errors on the two pages a merchant's browser opens (onboarding page, authorization callback)
 * are pages in the merchant's language too: the rate limit and anything unforeseen. A client
 * that asks for JSON gets the usual error JSON from the app's filter.
 */
@Catch()
export class MerchantPageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(MerchantPageErrorFilter.name);
  private readonly json = new HttpErrorFilter();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent || prefersJson(req.headers.accept)) return this.json.catch(exception, host);
    const throttled =
      exception instanceof ThrottlerException ||
      (exception as { getStatus?: () => number })?.getStatus?.() === HttpStatus.TOO_MANY_REQUESTS;
    if (!throttled) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(
        { requestId: requestIdOf(req), errorName: err.name, err: err.message, stack: err.stack },
        'merchant page failed',
      );
    }
    sendPage(req, res, throttled ? rateLimitedPage() : unexpectedPage(), pageBrand(this.config));
  }
}
