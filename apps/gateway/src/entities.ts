import { AuditEventEntity } from './audit/audit-event.entity';
import { TokenKeyEntity } from './platform/auth/token-key.entity';
import { AuthorizerEntity } from './authorizers/authorizer.entity';
import { BLACKLIST_JOB_ENTITIES } from './blacklist-jobs/blacklist-job.entity';
import { ComponentApiCallsEntity } from './component/component-api-calls.entity';
import { WeChatCallCountsEntity } from './platform/wechat-clients/wechat-call-counts.entity';
import { ComponentStateEntity } from './component/component-state.entity';
import { PushReceiptEntity } from './component-pushes/push-receipt.entity';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { AuthorizationCodeExchangeEntity } from './onboarding/authorization-code-exchange.entity';
import { AuthorizationSessionEntity } from './onboarding/authorization-session.entity';
import { PreAuthCodeEntity } from './onboarding/pre-auth-code.entity';
import { TenantEntity } from './tenants/tenant.entity';
import { WeChatQuotaBlockEntity } from './tenant-calls/quota-block.entity';
import { WEBHOOK_ENTITIES } from './webhooks/webhook.entity';
import { MessageReceiptEntity } from './follower-messages/message-receipt.entity';
import { JsTicketEntity } from './jssdk/jssdk-ticket.entity';
import { WEB_OAUTH_ENTITIES } from './web-oauth/web-oauth.entity';

/** Every TypeORM entity, listed once: the app module and the CLI data source both read this. */
export const ENTITIES: Function[] = [
  TenantEntity,
  AuthorizerEntity,
  ComponentStateEntity,
  PushReceiptEntity,
  AuthorizationSessionEntity,
  PreAuthCodeEntity,
  AuthorizationCodeExchangeEntity,
  ...BLACKLIST_JOB_ENTITIES,
  IdempotencyKeyEntity,
  WeChatQuotaBlockEntity,
  AuditEventEntity,
  ...WEBHOOK_ENTITIES,
  TokenKeyEntity,
  MessageReceiptEntity,
  ComponentApiCallsEntity,
  ...WEB_OAUTH_ENTITIES,
  JsTicketEntity,
  WeChatCallCountsEntity,
];
