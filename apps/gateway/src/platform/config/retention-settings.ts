import type { GatewayConfig } from './gateway-config';

/** How long data that only grows is kept, in days (README, "Configuration"). */
export interface RetentionSettings {
  /** RETENTION_WEBHOOK_DAYS: webhook events and their delivery history. */
  webhookDays: number;
  /** RETENTION_MESSAGE_RECEIPTS_DAYS: followers' message receipts (WeChat's retries end within a minute). */
  messageReceiptsDays: number;
  /** RETENTION_JOB_ITEMS_DAYS: a finished blacklist job's per-openid items and chunks; the job and its counts stay. */
  jobItemsDays: number;
  /** RETENTION_API_CALLS_DAYS: the component's per-day API call counts. */
  apiCallsDays: number;
  /** RETENTION_CODE_EXCHANGES_DAYS: outcomes of authorization-code exchanges. */
  codeExchangesDays: number;
  /** RETENTION_AUDIT_DAYS: the audit trail; undefined keeps it forever. */
  auditDays?: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  webhookDays: 30,
  messageReceiptsDays: 3,
  jobItemsDays: 90,
  apiCallsDays: 30,
  codeExchangesDays: 30,
};

export function retentionSettings(config: Pick<GatewayConfig, 'retention'>): RetentionSettings {
  const given = Object.fromEntries(Object.entries(config.retention ?? {}).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_RETENTION, ...given };
}
