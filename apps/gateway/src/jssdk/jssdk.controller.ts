import { Body, Controller, Get, Header, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { JS_TICKET_TYPES, type JsTicketType } from '@app/wechat';
import { CurrentTenant, TenantOrTokenKey, TokenReader } from '../platform/auth';
import type { TenantId } from '../tenants/tenant-id';
import { JsSdkSignatureDto, JsSdkSignatureView, JsTicketInvalidationDto, JsTicketView } from './dto/jssdk.dto';
import { JsSdkService } from './jssdk.service';

// Tickets must not sit in any cache between the gateway and the service that asked.
const NO_STORE = Header('Cache-Control', 'no-store');

function ticketType(raw: string): JsTicketType {
  if (!(JS_TICKET_TYPES as readonly string[]).includes(raw)) throw new NotFoundException(); // answered as the usual 404 NOT_FOUND
  return raw as JsTicketType;
}

@ApiTags('jssdk')
@Controller('v1/tenants/:tenantId')
export class JsSdkController {
  constructor(private readonly jssdk: JsSdkService) {}

  @Post('jssdk/signatures')
  @TenantOrTokenKey()
  @HttpCode(200)
  @NO_STORE
  @ApiOperation({
    summary: 'A wx.config signature for a page URL, with the account’s jsapi_ticket (operator, tenant or token key)',
  })
  @ApiOkResponse({ type: JsSdkSignatureView })
  sign(@CurrentTenant() tenantId: TenantId, @Body() body: JsSdkSignatureDto): Promise<JsSdkSignatureView> {
    return this.jssdk.sign(tenantId, body.url);
  }

  @Get('tickets/jsapi')
  @TokenReader()
  @NO_STORE
  @ApiOperation({ summary: 'The account’s jsapi_ticket, with at least 5 minutes left (operator or the tenant’s token key)' })
  @ApiOkResponse({ type: JsTicketView })
  jsapiTicket(@CurrentTenant() tenantId: TenantId): Promise<JsTicketView> {
    return this.jssdk.handOut(tenantId, 'jsapi');
  }

  @Get('tickets/wx_card')
  @TokenReader()
  @NO_STORE
  @ApiOperation({ summary: 'The account’s wx_card ticket, with at least 5 minutes left (operator or the tenant’s token key)' })
  @ApiOkResponse({ type: JsTicketView })
  cardTicket(@CurrentTenant() tenantId: TenantId): Promise<JsTicketView> {
    return this.jssdk.handOut(tenantId, 'wx_card');
  }

  @Post('tickets/:type/invalidations')
  @TokenReader()
  @HttpCode(200)
  @NO_STORE
  @ApiParam({ name: 'type', enum: ['jsapi', 'wx_card'] })
  @ApiOperation({
    summary:
      'This ticket was rejected: replaced if it is still the current one (one getticket however many ask); the current one is returned',
  })
  @ApiOkResponse({ type: JsTicketView })
  invalidate(
    @CurrentTenant() tenantId: TenantId,
    @Param('type') type: string,
    @Body() body: JsTicketInvalidationDto,
  ): Promise<JsTicketView> {
    return this.jssdk.handOut(tenantId, ticketType(type), body.ticket);
  }
}
