import type { ActingParty } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@app/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { refusalFor } from './address-guard';
import type {
  CreateWebhookEndpointDto,
  ListDeliveriesQuery,
  WebhookPageQuery,
  UpdateWebhookEndpointDto,
} from './dto/webhook-endpoint.dto';
import type {
  CreatedWebhookEndpointView,
  DeliveryPageView,
  WebhookEndpointPageView,
  WebhookEndpointView,
  WebhookSecretView,
} from './dto/webhook-endpoint.view';
import { WebhookDeliveryWorker } from './webhook-delivery-worker';
import { type EndpointOwner, type WebhookEndpointRecord, WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { isOperatorOnlyEventType } from './webhook-event-types';
import { WebhookOutboxRepository } from './webhook-outbox.repository';
import { generateWebhookSecret } from './webhook-signing';
import { privateUrlsRefused, webhookSettings } from './webhook-settings';
import {
  TooManyEndpointsError,
  WebhookEndpointNotFoundError,
  WebhookEventNotFoundError,
  WebhookUrlNotAllowedError,
} from './webhooks.errors';
import { keysetCursor } from '../platform/validation/page-cursor';

/** How long a rotated-out secret keeps signing, so receivers can switch without losing deliveries. */
const PREVIOUS_SECRET_TTL_MS = 24 * 3600 * 1000;
const DEFAULT_LIMIT = 50;

const toView = (r: WebhookEndpointRecord): WebhookEndpointView => ({
  id: r.id,
  url: r.url,
  types: r.types,
  description: r.description,
  enabled: r.enabled,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Webhook endpoints of one owner: a tenant (its own events) or the operator (null: every
 * tenant's events and component events). Every method takes the owner first; an id of
 * another owner is answered exactly like an unknown one.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly refusePrivate: boolean;
  private readonly endpointsPerTenant: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly outbox: WebhookOutboxRepository,
    private readonly worker: WebhookDeliveryWorker,
    private readonly audit: AuditService,
  ) {
    this.refusePrivate = privateUrlsRefused(config);
    this.endpointsPerTenant = webhookSettings(config).endpointsPerTenant;
  }

  async create(owner: EndpointOwner, dto: CreateWebhookEndpointDto, by: ActingParty): Promise<CreatedWebhookEndpointView> {
    const types = dto.types ?? [];
    this.checkTypes(owner, types);
    await this.checkUrl(dto.url);
    const secret = generateWebhookSecret();
    const created = await this.endpoints.create(
      owner,
      { url: dto.url, types, description: dto.description ?? null, secret },
      this.endpointsPerTenant,
    );
    if (!created) throw new TooManyEndpointsError(this.endpointsPerTenant);
    await this.audit.recordChange(owner, by, 'webhook_endpoint.created', { endpointId: created.id });
    return { ...toView(created), secret };
  }

  async list(owner: EndpointOwner, query: WebhookPageQuery): Promise<WebhookEndpointPageView> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.endpoints.list(owner, limit, query.cursor ? keysetCursor.decode(query.cursor) : undefined);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit ? keysetCursor.encode({ at: last.createdAt, id: last.id }) : null,
    };
  }

  async get(owner: EndpointOwner, endpointId: string | undefined): Promise<WebhookEndpointView> {
    return toView(await this.found(owner, endpointId));
  }

  async update(
    owner: EndpointOwner,
    endpointId: string | undefined,
    dto: UpdateWebhookEndpointDto,
    by: ActingParty,
  ): Promise<WebhookEndpointView> {
    const endpoint = await this.found(owner, endpointId);
    if (dto.types) this.checkTypes(owner, dto.types);
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    const updated = await this.endpoints.update(owner, endpoint.id, dto);
    if (!updated) throw new WebhookEndpointNotFoundError();
    await this.audit.recordChange(owner, by, 'webhook_endpoint.updated', { endpointId: updated.id });
    return toView(updated);
  }

  async delete(owner: EndpointOwner, endpointId: string | undefined, by: ActingParty): Promise<void> {
    if (!endpointId || !(await this.endpoints.delete(owner, endpointId))) {
      throw new WebhookEndpointNotFoundError();
    }
    await this.audit.recordChange(owner, by, 'webhook_endpoint.deleted', { endpointId });
  }

  async rotateSecret(owner: EndpointOwner, endpointId: string | undefined, by: ActingParty): Promise<WebhookSecretView> {
    const secret = generateWebhookSecret();
    const ok =
      endpointId !== undefined &&
      (await this.endpoints.rotateSecret(owner, endpointId, secret, new Date(Date.now() + PREVIOUS_SECRET_TTL_MS)));
    if (!ok) throw new WebhookEndpointNotFoundError();
    await this.audit.recordChange(owner, by, 'webhook_endpoint.secret_rotated', { endpointId });
    return { secret };
  }

  async deliveries(owner: EndpointOwner, endpointId: string | undefined, query: ListDeliveriesQuery): Promise<DeliveryPageView> {
    const endpoint = await this.found(owner, endpointId);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const rows = await this.outbox.listDeliveries(owner, endpoint.id, {
      status: query.status,
      limit,
      before: query.cursor ? keysetCursor.decode(query.cursor) : undefined,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((d) => ({
        eventId: d.eventId,
        type: d.type,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      })),
      nextCursor: rows.length > limit ? keysetCursor.encode({ at: last.createdAt, id: last.eventId }) : null,
    };
  }

  async redeliver(owner: EndpointOwner, endpointId: string | undefined, eventId: string | undefined): Promise<void> {
    const endpoint = await this.found(owner, endpointId);
    if (!eventId || !(await this.outbox.redeliver(owner, endpoint.id, eventId))) {
      throw new WebhookEventNotFoundError();
    }
    this.worker.wake();
  }

  private async found(owner: EndpointOwner, endpointId: string | undefined): Promise<WebhookEndpointRecord> {
    const endpoint = endpointId ? await this.endpoints.get(owner, endpointId) : undefined;
    if (!endpoint) throw new WebhookEndpointNotFoundError();
    return endpoint;
  }

  private checkTypes(owner: EndpointOwner, types: string[]): void {
    const refused = owner === null ? [] : types.filter(isOperatorOnlyEventType);
    if (refused.length > 0) {
      throw new ValidationError('The request is invalid.', {
        fields: [{ field: 'types', messages: [`tenant endpoints cannot receive ${refused.join(', ')}`] }],
      });
    }
  }

  /** Production mode: the host must be public now; the sender checks the address again at every connection. */
  private async checkUrl(url: string): Promise<void> {
    if (!this.refusePrivate) return;
    const refusal = await refusalFor(new URL(url));
    if (refusal) throw new WebhookUrlNotAllowedError(refusal);
  }
}
