import type { GatewayConfig, WebhookSettings } from '../platform/config/gateway-config';

/** Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the first attempt. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** The webhook settings with every default filled in (the config carries only what was set). */
export function webhookSettings(config: GatewayConfig): WebhookSettings {
  const w = config.webhooks ?? {};
  return {
    allowPrivateUrls: w.allowPrivateUrls ?? false,
    retryScheduleSeconds: w.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
    concurrency: w.concurrency ?? 16,
    concurrencyPerEndpoint: w.concurrencyPerEndpoint ?? 2,
    pollIntervalMs: w.pollIntervalMs ?? 1000,
    timeoutMs: w.timeoutMs ?? 10_000,
    endpointsPerTenant: w.endpointsPerTenant ?? 10,
  };
}

/** Private addresses are refused only in production mode, and only unless the operator allowed them. */
export function privateUrlsRefused(config: GatewayConfig): boolean {
  return config.mode === 'production' && !webhookSettings(config).allowPrivateUrls;
}
