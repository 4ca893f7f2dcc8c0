import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AnyCaller, CurrentTenant, CurrentTokenReader, OperatorOnly, TokenReader } from '../platform/auth';
import { RequestId } from '../platform/logging/request-id';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizerTokenView, ComponentTokenView, TokenInvalidationDto } from './dto/token-handout.dto';
import { TokenHandoutService } from './token-handout.service';

// Tokens must not sit in any cache between the gateway and the service that asked.
const NO_STORE = Header('Cache-Control', 'no-store');

@ApiTags('tokens')
@Controller()
export class TokenHandoutController {
  constructor(private readonly handout: TokenHandoutService) {}

  @Get('v1/tenants/:tenantId/authorizer-token')
  @TokenReader()
  @NO_STORE
  @ApiOperation({
    summary: 'The tenant’s authorizer access token, with at least 5 minutes left (operator or the tenant’s token key)',
  })
  @ApiOkResponse({ type: AuthorizerTokenView })
  authorizerToken(
    @CurrentTenant() tenantId: TenantId,
    @CurrentTokenReader() caller: AnyCaller,
    @RequestId() requestId: string,
  ): Promise<AuthorizerTokenView> {
    return this.handout.authorizerToken(tenantId, { caller, requestId });
  }

  @Post('v1/tenants/:tenantId/authorizer-token/invalidations')
  @TokenReader()
  @HttpCode(200)
  @NO_STORE
  @ApiOperation({
    summary:
      'WeChat rejected this authorizer token: replaced if it is still the current one (one refresh however many ask), and the current token is returned',
  })
  @ApiOkResponse({ type: AuthorizerTokenView })
  invalidateAuthorizerToken(
    @CurrentTenant() tenantId: TenantId,
    @CurrentTokenReader() caller: AnyCaller,
    @RequestId() requestId: string,
    @Body() body: TokenInvalidationDto,
  ): Promise<AuthorizerTokenView> {
    return this.handout.authorizerToken(tenantId, { caller, requestId }, body.accessToken);
  }

  @Get('v1/component/access-token')
  @OperatorOnly()
  @NO_STORE
  @ApiOperation({ summary: 'The component access token, with at least 5 minutes left' })
  @ApiOkResponse({ type: ComponentTokenView })
  componentToken(@RequestId() requestId: string): Promise<ComponentTokenView> {
    return this.handout.componentToken(requestId);
  }

  @Post('v1/component/access-token/invalidations')
  @OperatorOnly()
  @HttpCode(200)
  @NO_STORE
  @ApiOperation({ summary: 'WeChat rejected this component token: replaced if still current; the current token is returned' })
  @ApiOkResponse({ type: ComponentTokenView })
  invalidateComponentToken(@RequestId() requestId: string, @Body() body: TokenInvalidationDto): Promise<ComponentTokenView> {
    return this.handout.componentToken(requestId, body.accessToken);
  }
}
