import type { TenantId } from '../tenants/tenant-id';

/** Every event type a webhook endpoint can receive, exactly as it appears in the payload's `type`. */
export const WEBHOOK_EVENT_TYPES = [
  'tenant.activated',
  'tenant.permissions_changed',
  'tenant.revoked',
  'tenant.reauthorization_required',
  'blacklist.job.finished',
  'blacklist.job.paused',
  'component.ticket_stale',
  'message.received',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Component events concern the operator's platform, not a tenant: only operator endpoints receive them. */
export type OperatorOnlyEventType = Extract<WebhookEventType, `component.${string}`>;
export const isOperatorOnlyEventType = (t: string): t is OperatorOnlyEventType => t.startsWith('component.');

/**
 * Views are loose records here on purpose: the emitting feature passes the same view its own
 * route returns (GET /v1/tenants/:id, GET .../blacklist/jobs/:id) without this module importing it.
 */
type View = Record<string, unknown>;

export interface WebhookEventData {
  'tenant.activated': { tenantId: string; tenant: View };
  'tenant.permissions_changed': { tenantId: string; tenant: View; previous: number[]; current: number[] };
  'tenant.revoked': { tenantId: string; tenant: View };
  'tenant.reauthorization_required': { tenantId: string; tenant: View };
  'blacklist.job.finished': { tenantId: string; job: View };
  'blacklist.job.paused': { tenantId: string; job: View };
  'component.ticket_stale': { ticketAgeSeconds: number };
  /** A follower's message or an account event, every decrypted XML field under WeChat's own name. */
  'message.received': { tenantId: string; appId: string; message: Record<string, unknown> };
}

/** What a feature hands to WebhookPublisher.publish: the data's shape follows the type. */
export type WebhookEventInput = {
  [T in WebhookEventType]: {
    type: T;
    /** The tenant the event is about; null for component events (operator endpoints only). */
    tenantId: T extends OperatorOnlyEventType ? null : TenantId;
    data: WebhookEventData[T];
    /** When the change happened (the payload's `timestamp`); now if omitted. */
    occurredAt?: Date;
  };
}[WebhookEventType];
