import type { GatewayConfig } from '../config/gateway-config';
import { retentionSettings } from '../config/retention-settings';

/** Daily, at an hour when few people authorize (UTC). */
export const DEFAULT_AUTHORIZER_RECONCILE_CRON = '40 19 * * *';

/**
 * Every scheduled task of the gateway and when it runs: five-field cron, UTC, or `off`. pg-boss
 * turns each occurrence into one job that one instance works (cron resolution: a minute). The
 * handlers live beside their features, marked `@CronTask('<name>')`.
 */
export const CRON_SCHEDULES = {
  /** authorizers/: WeChat's authorizer list against ours (AUTHORIZER_RECONCILE_CRON). */
  'authorizer-reconcile': (c: GatewayConfig) => c.authorizerReconcileCron ?? DEFAULT_AUTHORIZER_RECONCILE_CRON,
  /** component/: asks for an overdue verify ticket, reports a stale one. */
  'ticket-watch': () => '* * * * *',
  /** component/: the component's per-day call counts past RETENTION_API_CALLS_DAYS. */
  'component-api-calls-sweep': () => '29 3 * * *',
  /** component-pushes/: push receipts no replay can match any more. */
  'push-receipts-sweep': () => '23 * * * *',
  /** follower-messages/: message receipts past RETENTION_MESSAGE_RECEIPTS_DAYS. */
  'message-receipts-sweep': () => '27 * * * *',
  /** idempotency/: expired Idempotency-Key records. */
  'idempotency-keys-sweep': () => '17 * * * *',
  /** web-oauth/: web-authorization states and redemption tickets that lapsed a day ago. */
  'web-oauth-sweep': () => '19 * * * *',
  /** tenant-calls/: quota blocks that lapsed a day ago. */
  'quota-blocks-sweep': () => '17 * * * *',
  /** platform/wechat-clients/: hourly WeChat call counts older than two days (the console charts one). */
  'wechat-call-counts-sweep': () => '31 * * * *',
  /** webhooks/: events and delivery history past RETENTION_WEBHOOK_DAYS. */
  'webhook-retention': () => '37 * * * *',
  /** blacklist-jobs/: items of jobs finished more than RETENTION_JOB_ITEMS_DAYS ago. */
  'job-items-retention': () => '41 * * * *',
  /** onboarding/: authorization-code exchanges past RETENTION_CODE_EXCHANGES_DAYS. */
  'code-exchanges-retention': () => '43 3 * * *',
  /** audit/: only when RETENTION_AUDIT_DAYS is set; the trail is kept otherwise. */
  'audit-retention': (c: GatewayConfig) => (retentionSettings(c).auditDays === undefined ? 'off' : '47 * * * *'),
} satisfies Record<string, (config: GatewayConfig) => string>;

export type CronTaskName = keyof typeof CRON_SCHEDULES;

/** Schedules earlier releases made; removed at start so pg-boss stops sending them. */
export const RETIRED_SCHEDULES = ['blacklist-maintenance'];
