import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { WeChatForwardedReply } from '@app/wechat';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Caller, CurrentCaller, CurrentTenant, TenantScoped } from '../platform/auth';
import { RouteBody, WECHAT_PROXY_BODY_LIMIT } from '../platform/http/route-body';
import { RequestId } from '../platform/logging/request-id';
import type { TenantId } from '../tenants/tenant-id';
import { WeChatProxyService } from './api-proxy.service';

// Fastify's wildcard (the OpenAPI document names it {path}).
const ROUTE = 'v1/tenants/:tenantId/wechat/*';
const PATH_START = /^\/v1\/tenants\/[^/?]+\/wechat\//;

const DESCRIPTION =
  'Calls the Official Account API at `<path>` (e.g. `cgi-bin/user/info`) for the tenant with its authorizer token: the query ' +
  'string (except access_token) and the body (JSON, or multipart up to 10 MB) are passed through as they are. WeChat’s reply ' +
  'comes back verbatim with HTTP 200, its content type and `wtg-wechat-errcode`; errors of the gateway itself (gate, quota, ' +
  'token, WeChat unreachable) use the error JSON.';

@ApiTags('wechat proxy')
@Controller()
export class WeChatProxyController {
  constructor(private readonly proxy: WeChatProxyService) {}

  @Get(ROUTE)
  @TenantScoped()
  @ApiParam({ name: 'path', description: 'WeChat API path, e.g. cgi-bin/user/info', example: 'cgi-bin/user/info' })
  @ApiOperation({ summary: 'GET an Official Account API for the tenant', description: DESCRIPTION })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'WeChat’s reply, verbatim (header wtg-wechat-errcode: its errcode, 0 when absent)' })
  get(
    @CurrentTenant() tenantId: TenantId,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    return this.forward('GET', tenantId, { caller, requestId }, req, res);
  }

  @Post(ROUTE)
  @TenantScoped()
  // Passed to WeChat byte for byte (JSON or multipart, boundary intact), up to 10 MB.
  @RouteBody({ raw: true, bodyLimit: WECHAT_PROXY_BODY_LIMIT })
  @ApiParam({
    name: 'path',
    description: 'WeChat API path, e.g. cgi-bin/message/custom/send',
    example: 'cgi-bin/message/custom/send',
  })
  @ApiOperation({ summary: 'POST to an Official Account API for the tenant', description: DESCRIPTION })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'WeChat’s reply, verbatim (header wtg-wechat-errcode: its errcode, 0 when absent)' })
  post(
    @CurrentTenant() tenantId: TenantId,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    return this.forward('POST', tenantId, { caller, requestId }, req, res);
  }

  private async forward(
    method: 'GET' | 'POST',
    tenantId: TenantId,
    ctx: { caller: Caller; requestId: string },
    req: FastifyRequest,
    res: FastifyReply,
  ): Promise<void> {
    // The path and query as the caller sent them (not the router's decoded params): the table
    // accepts plain path characters only, so an escaped path is refused rather than reinterpreted.
    const url = req.url;
    const q = url.indexOf('?');
    const path = (q === -1 ? url : url.slice(0, q)).replace(PATH_START, '');
    const reply = await this.proxy.call(
      tenantId,
      {
        method,
        path,
        query: q === -1 ? '' : url.slice(q + 1),
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: req.headers['content-type'],
      },
      ctx,
    );
    send(res, reply);
  }
}

/** WeChat's reply as it is, with HTTP 200 so SDK code written against WeChat reads it unchanged. */
function send(res: FastifyReply, reply: WeChatForwardedReply): void {
  res
    .status(200)
    .header('Content-Type', reply.contentType ?? 'application/json')
    .header('wtg-wechat-errcode', String(reply.errcode))
    .send(reply.body);
}
