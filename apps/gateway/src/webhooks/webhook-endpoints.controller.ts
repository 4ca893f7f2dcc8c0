import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  Delete,
  type ExecutionContext,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, OwnerScoped, type RequestWithCaller } from '../platform/auth';
import { ApiPathAliases } from '../platform/openapi/path-aliases';
import type { TenantId } from '../tenants/tenant-id';
import { UuidParamPipe } from '../platform/validation/uuid-param.pipe';
import {
  CreateWebhookEndpointDto,
  ListDeliveriesQuery,
  WebhookPageQuery,
  UpdateWebhookEndpointDto,
} from './dto/webhook-endpoint.dto';
import {
  CreatedWebhookEndpointView,
  DeliveryPageView,
  WebhookEndpointPageView,
  WebhookEndpointView,
  WebhookSecretView,
} from './dto/webhook-endpoint.view';
import { WebhookEndpointsService } from './webhook-endpoints.service';

// One controller over two collections: the operator's (owner null: every tenant's events and
// component events; operator keys only) and each tenant's (its events only; as any tenant route).
// Same routes, same shapes; the path says whose collection a request addresses.
const OPERATOR_COLLECTION = 'v1/webhook-endpoints';
const TENANT_COLLECTION = 'v1/tenants/:tenantId/webhook-endpoints';

/** Ids that are no UUID name nothing: the service answers its own 404. */
const UUID = new UuidParamPipe();

/**
 * The owner of the collection the request addresses: null for the operator's, else the tenant the
 * API key guard resolved and admitted. Anything else is a wiring fault and fails closed.
 */
export const EndpointOwner = createParamDecorator((_data: unknown, ctx: ExecutionContext): TenantId | null => {
  const req = ctx.switchToHttp().getRequest<RequestWithCaller & { params?: Record<string, string | undefined> }>();
  if (req.params?.tenantId !== undefined) {
    if (!req.tenantId) throw new Error('@EndpointOwner() on a tenant collection the API key guard did not resolve');
    return req.tenantId;
  }
  if (req.caller?.actor !== 'operator') throw new Error('@EndpointOwner() on the operator collection without an operator');
  return null;
});

/**
 * The summary of a route (one, or one per collection), and each collection's own operation id: the
 * document keeps one operation per collection, under the ids the typed client names them by.
 */
function Operation(summary: string | { operator: string; tenant: string }): MethodDecorator {
  return (target, key, descriptor) => {
    const { operator, tenant } = typeof summary === 'string' ? { operator: summary, tenant: summary } : summary;
    applyDecorators(
      ApiOperation({ summary: operator }),
      ApiPathAliases({
        [OPERATOR_COLLECTION]: { operationId: `OperatorWebhookEndpointsController_${String(key)}` },
        [TENANT_COLLECTION]: { operationId: `TenantWebhookEndpointsController_${String(key)}`, summary: tenant },
      }),
    )(target, key, descriptor);
  };
}

const EndpointParam = () => ApiParam({ name: 'endpointId', format: 'uuid' });
const EventParam = () => ApiParam({ name: 'eventId', format: 'uuid' });

@ApiTags('webhooks')
@Controller([OPERATOR_COLLECTION, TENANT_COLLECTION])
@OwnerScoped()
export class WebhookEndpointsController {
  constructor(private readonly service: WebhookEndpointsService) {}

  @Post()
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @Operation({
    operator: 'Register an operator endpoint: every tenant’s events and component events; the secret is shown once',
    tenant: 'Register an endpoint for this tenant’s events (never component.*); the secret is shown once',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointView })
  create(
    @EndpointOwner() owner: TenantId | null,
    @Body() body: CreateWebhookEndpointDto,
    @CurrentCaller() caller: Caller,
  ): Promise<CreatedWebhookEndpointView> {
    return this.service.create(owner, body, callerActor(caller));
  }

  @Get()
  @Operation({
    operator: 'List operator endpoints (not tenants’), oldest first',
    tenant: 'List this tenant’s endpoints, oldest first',
  })
  @ApiOkResponse({ type: WebhookEndpointPageView })
  list(@EndpointOwner() owner: TenantId | null, @Query() query: WebhookPageQuery): Promise<WebhookEndpointPageView> {
    return this.service.list(owner, query);
  }

  @Get(':endpointId')
  @EndpointParam()
  @Operation('One webhook endpoint (no secret)')
  @ApiOkResponse({ type: WebhookEndpointView })
  get(@EndpointOwner() owner: TenantId | null, @Param('endpointId', UUID) endpointId: string): Promise<WebhookEndpointView> {
    return this.service.get(owner, endpointId);
  }

  @Patch(':endpointId')
  @EndpointParam()
  @Operation('Change url, types, description or enabled')
  @ApiOkResponse({ type: WebhookEndpointView })
  update(
    @EndpointOwner() owner: TenantId | null,
    @Param('endpointId', UUID) endpointId: string,
    @Body() body: UpdateWebhookEndpointDto,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookEndpointView> {
    return this.service.update(owner, endpointId, body, callerActor(caller));
  }

  @Delete(':endpointId')
  @EndpointParam()
  @Operation('Remove the endpoint (its delivery log goes with it)')
  @HttpCode(204)
  @ApiNoContentResponse()
  delete(
    @EndpointOwner() owner: TenantId | null,
    @Param('endpointId', UUID) endpointId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<void> {
    return this.service.delete(owner, endpointId, callerActor(caller));
  }

  @Post(':endpointId/secret')
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @EndpointParam()
  @Operation('Rotate the signing secret; the previous one keeps signing for 24 hours')
  @ApiCreatedResponse({ type: WebhookSecretView })
  rotateSecret(
    @EndpointOwner() owner: TenantId | null,
    @Param('endpointId', UUID) endpointId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookSecretView> {
    return this.service.rotateSecret(owner, endpointId, callerActor(caller));
  }

  @Get(':endpointId/deliveries')
  @EndpointParam()
  @Operation('Deliveries to this endpoint, newest first, with every attempt')
  @ApiOkResponse({ type: DeliveryPageView })
  deliveries(
    @EndpointOwner() owner: TenantId | null,
    @Param('endpointId', UUID) endpointId: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<DeliveryPageView> {
    return this.service.deliveries(owner, endpointId, query);
  }

  @Post(':endpointId/deliveries/:eventId/redeliver')
  @EndpointParam()
  @EventParam()
  @HttpCode(202)
  @Operation('Send the event again (same webhook-id) as a new attempt')
  @ApiAcceptedResponse()
  redeliver(
    @EndpointOwner() owner: TenantId | null,
    @Param('endpointId', UUID) endpointId: string,
    @Param('eventId', UUID) eventId: string,
  ): Promise<void> {
    return this.service.redeliver(owner, endpointId, eventId);
  }
}
