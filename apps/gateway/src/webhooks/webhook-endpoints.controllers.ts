import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import { type Caller, CurrentCaller, CurrentTenant, OperatorOnly, TenantScoped } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
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
import { UuidParamPipe } from '../validation/uuid-param.pipe';

/** Ids that are no UUID name nothing: the service answers its own 404. */
const UUID = new UuidParamPipe();
import { WebhookEndpointsService } from './webhook-endpoints.service';

// Two thin controllers over one service: the operator's collection (owner null: every tenant's
// events and component events) and each tenant's own (its events only). Same routes, same shapes.

const EndpointParam = () => ApiParam({ name: 'endpointId', format: 'uuid' });
const EventParam = () => ApiParam({ name: 'eventId', format: 'uuid' });

@ApiTags('webhooks')
@Controller('v1/webhook-endpoints')
@OperatorOnly()
export class OperatorWebhookEndpointsController {
  constructor(private readonly service: WebhookEndpointsService) {}

  @Post()
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @ApiOperation({
    summary: 'Register an operator endpoint: every tenant’s events and component events; the secret is shown once',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointView })
  create(@Body() body: CreateWebhookEndpointDto, @CurrentCaller() caller: Caller): Promise<CreatedWebhookEndpointView> {
    return this.service.create(null, body, callerActor(caller));
  }

  @Get()
  @ApiOperation({ summary: 'List operator endpoints (not tenants’), oldest first' })
  @ApiOkResponse({ type: WebhookEndpointPageView })
  list(@Query() query: WebhookPageQuery): Promise<WebhookEndpointPageView> {
    return this.service.list(null, query);
  }

  @Get(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'One webhook endpoint (no secret)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  get(@Param('endpointId', UUID) endpointId: string): Promise<WebhookEndpointView> {
    return this.service.get(null, endpointId);
  }

  @Patch(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'Change url, types, description or enabled' })
  @ApiOkResponse({ type: WebhookEndpointView })
  update(
    @Param('endpointId', UUID) endpointId: string,
    @Body() body: UpdateWebhookEndpointDto,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookEndpointView> {
    return this.service.update(null, endpointId, body, callerActor(caller));
  }

  @Delete(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'Remove the endpoint (its delivery log goes with it)' })
  @HttpCode(204)
  @ApiNoContentResponse()
  delete(@Param('endpointId', UUID) endpointId: string, @CurrentCaller() caller: Caller): Promise<void> {
    return this.service.delete(null, endpointId, callerActor(caller));
  }

  @Post(':endpointId/secret')
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @EndpointParam()
  @ApiOperation({ summary: 'Rotate the signing secret; the previous one keeps signing for 24 hours' })
  @ApiCreatedResponse({ type: WebhookSecretView })
  rotateSecret(@Param('endpointId', UUID) endpointId: string, @CurrentCaller() caller: Caller): Promise<WebhookSecretView> {
    return this.service.rotateSecret(null, endpointId, callerActor(caller));
  }

  @Get(':endpointId/deliveries')
  @EndpointParam()
  @ApiOperation({ summary: 'Deliveries to this endpoint, newest first, with every attempt' })
  @ApiOkResponse({ type: DeliveryPageView })
  deliveries(@Param('endpointId', UUID) endpointId: string, @Query() query: ListDeliveriesQuery): Promise<DeliveryPageView> {
    return this.service.deliveries(null, endpointId, query);
  }

  @Post(':endpointId/deliveries/:eventId/redeliver')
  @EndpointParam()
  @EventParam()
  @HttpCode(202)
  @ApiOperation({ summary: 'Send the event again (same webhook-id) as a new attempt' })
  @ApiAcceptedResponse()
  redeliver(@Param('endpointId', UUID) endpointId: string, @Param('eventId', UUID) eventId: string): Promise<void> {
    return this.service.redeliver(null, endpointId, eventId);
  }
}

@ApiTags('webhooks')
@Controller('v1/tenants/:tenantId/webhook-endpoints')
@TenantScoped()
export class TenantWebhookEndpointsController {
  constructor(private readonly service: WebhookEndpointsService) {}

  @Post()
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @ApiOperation({ summary: 'Register an endpoint for this tenant’s events (never component.*); the secret is shown once' })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointView })
  create(
    @CurrentTenant() tenantId: TenantId,
    @Body() body: CreateWebhookEndpointDto,
    @CurrentCaller() caller: Caller,
  ): Promise<CreatedWebhookEndpointView> {
    return this.service.create(tenantId, body, callerActor(caller));
  }

  @Get()
  @ApiOperation({ summary: 'List this tenant’s endpoints, oldest first' })
  @ApiOkResponse({ type: WebhookEndpointPageView })
  list(@CurrentTenant() tenantId: TenantId, @Query() query: WebhookPageQuery): Promise<WebhookEndpointPageView> {
    return this.service.list(tenantId, query);
  }

  @Get(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'One webhook endpoint (no secret)' })
  @ApiOkResponse({ type: WebhookEndpointView })
  get(@CurrentTenant() tenantId: TenantId, @Param('endpointId', UUID) endpointId: string): Promise<WebhookEndpointView> {
    return this.service.get(tenantId, endpointId);
  }

  @Patch(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'Change url, types, description or enabled' })
  @ApiOkResponse({ type: WebhookEndpointView })
  update(
    @CurrentTenant() tenantId: TenantId,
    @Param('endpointId', UUID) endpointId: string,
    @Body() body: UpdateWebhookEndpointDto,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookEndpointView> {
    return this.service.update(tenantId, endpointId, body, callerActor(caller));
  }

  @Delete(':endpointId')
  @EndpointParam()
  @ApiOperation({ summary: 'Remove the endpoint (its delivery log goes with it)' })
  @HttpCode(204)
  @ApiNoContentResponse()
  delete(
    @CurrentTenant() tenantId: TenantId,
    @Param('endpointId', UUID) endpointId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<void> {
    return this.service.delete(tenantId, endpointId, callerActor(caller));
  }

  @Post(':endpointId/secret')
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @EndpointParam()
  @ApiOperation({ summary: 'Rotate the signing secret; the previous one keeps signing for 24 hours' })
  @ApiCreatedResponse({ type: WebhookSecretView })
  rotateSecret(
    @CurrentTenant() tenantId: TenantId,
    @Param('endpointId', UUID) endpointId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<WebhookSecretView> {
    return this.service.rotateSecret(tenantId, endpointId, callerActor(caller));
  }

  @Get(':endpointId/deliveries')
  @EndpointParam()
  @ApiOperation({ summary: 'Deliveries to this endpoint, newest first, with every attempt' })
  @ApiOkResponse({ type: DeliveryPageView })
  deliveries(
    @CurrentTenant() tenantId: TenantId,
    @Param('endpointId', UUID) endpointId: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<DeliveryPageView> {
    return this.service.deliveries(tenantId, endpointId, query);
  }

  @Post(':endpointId/deliveries/:eventId/redeliver')
  @EndpointParam()
  @EventParam()
  @HttpCode(202)
  @ApiOperation({ summary: 'Send the event again (same webhook-id) as a new attempt' })
  @ApiAcceptedResponse()
  redeliver(
    @CurrentTenant() tenantId: TenantId,
    @Param('endpointId', UUID) endpointId: string,
    @Param('eventId', UUID) eventId: string,
  ): Promise<void> {
    return this.service.redeliver(tenantId, endpointId, eventId);
  }
}
