import { decodeSecretKey } from '@app/common';
import { resolve } from 'node:path';
import { EnvironmentVariables } from './environment';
import { operatorKeyFingerprint, parseOperatorKeys } from './operator-keys';
import type { RetentionSettings } from './retention-settings';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export type GatewayMode = 'sandbox' | 'production';

export interface WeChatSettings {
  componentAppId: string;
  componentAppSecret: string;
  componentToken: string;
  encodingAESKey: string;
  previousEncodingAESKey?: string;
  apiBaseUrl: string;
  mpBaseUrl: string;
  openBaseUrl: string;
}

/** The typed, resolved configuration every service reads (never raw env strings). */
export interface GatewayConfig {
  mode: GatewayMode;
  port: number;
  publicBaseUrl: string;
  databaseUrl: string;
  migrationsRun: boolean;
  operatorApiKeys: string[];
  /** Key → the name OPERATOR_API_KEYS gave it; a key not in here is named by its fingerprint (platform/config/operator-keys.ts). */
  operatorKeyNames?: ReadonlyMap<string, string>;
  secretsKey: Buffer;
  previousSecretsKey?: Buffer;
  wechat: WeChatSettings;
  logLevel: string;
  blacklist: BlacklistSettings;
  /** Outbound webhooks; omitted fields take the defaults in webhooks/webhook-settings.ts. */
  webhooks?: Partial<WebhookSettings>;
  /**
   * A verify ticket older than this is stale: /v1/component/status says so and component.ticket_stale
   * goes out once (default 12 h, WeChat's ticket lifetime; see component/ticket-watch.service.ts).
   */
  componentTicketStaleAfterSeconds?: number;
  /** WECHAT_GO_LIVE_TEST_APPIDS; the built-in list of follower-messages/go-live-cases.ts when omitted. */
  goLiveTestAppIds?: string[];
  /** The WeChat proxy; omitted: only the paths of the library's permission table. */
  wechatProxy?: WeChatProxySettings;
  /** Rate limits per client address (docs/operations.md, "Security: limits and rate limits"); omitted fields take the defaults named there. */
  rateLimits?: { failedAuthPerMinute?: number; publicRequestsPerMinute?: number };
  /** /metrics: on its own port (then not on `port`) and/or behind a bearer token; same port and open by default. */
  metrics?: { port?: number; token?: string };
  /** Origins (`scheme://host[:port]`, as URL#origin writes them) a session's returnUrl may point at; any when omitted. */
  onboardingReturnUrlOrigins?: string[];
  /** Daily calls the component may make to each of api_create_preauthcode and api_query_auth (component/component-call-budget.ts). */
  componentDailyCallBudget?: number;
  /** AUTHORIZER_RECONCILE_CRON: when WeChat's authorizer list is reconciled with ours (authorizers/); 'off' never. */
  authorizerReconcileCron?: string;
  /** RETENTION_*: how long growing tables keep rows (platform/config/retention-settings.ts has the defaults). */
  retention?: Partial<RetentionSettings>;
  /** Background renewal of authorizer tokens with under 15 min left (authorizers/authorizer-token-renewer.ts). */
  tokenRenewal?: { intervalMs?: number; concurrency?: number };
  /** The provider named on the merchant pages (BRAND_NAME, BRAND_LOGO_URL: an https URL or a logo file under the data directory). */
  brand?: { name?: string; logoUrl?: string; logoFile?: string };
  /** CONSOLE_TIME_ZONE: the zone the operator console shows times in (default Asia/Shanghai). */
  consoleTimeZone?: string;
}

export interface WeChatProxySettings {
  /** Path prefixes (no leading slash) callable without a permission gate, beyond the table (WECHAT_PROXY_EXTRA_PATHS). */
  extraPaths: string[];
}

export interface WebhookSettings {
  /** Production mode only: allow URLs on private, loopback and link-local addresses (sandbox always does). */
  allowPrivateUrls: boolean;
  /** Seconds before each retry after the first attempt; after the last one the delivery is failed. */
  retryScheduleSeconds: number[];
  /** Deliveries in flight per instance. */
  concurrency: number;
  /** Deliveries in flight per endpoint, so one slow receiver cannot take every slot. */
  concurrencyPerEndpoint: number;
  pollIntervalMs: number;
  /** An attempt without a 2xx answer within this long has failed. */
  timeoutMs: number;
  /** Endpoints one tenant may register (WEBHOOK_ENDPOINTS_PER_TENANT). */
  endpointsPerTenant: number;
}

export interface BlacklistSettings {
  concurrencyPerTenant: number;
  callsPerSecondPerTenant: number;
  /** Tests and sandboxes: a 45009 block lifts after this many seconds instead of at midnight China time. */
  quotaResetAfterSeconds?: number;
  /** Job-queue timings; the defaults suit production (see blacklist-jobs/job-queue.service.ts; pg-boss itself is platform/background/job-queue.service.ts). */
  jobs?: Partial<BlacklistJobTimings>;
}

export interface BlacklistJobTimings {
  /** pg-boss heartbeat: a worker silent this long is presumed dead and its job is handed on (min 10). */
  heartbeatSeconds: number;
  /** How often pg-boss looks for dead workers' jobs. */
  superviseIntervalSeconds: number;
  pollingIntervalSeconds: number;
  /** A claimed chunk's lease; renewed while its worker lives. */
  chunkLeaseSeconds: number;
  /** A worker hands a long job back to the queue after this long, so other tenants' jobs get a turn. */
  sliceSeconds: number;
  /** Jobs one instance works on at once. */
  workersPerInstance: number;
  /** Jobs of one tenant running at once across all instances; the rest wait while other tenants' jobs start. */
  runningJobsPerTenant: number;
  /**
   * How long a chunk's transient failures (WeChat unreachable, timeouts, -1, 45011) are retried with
   * backoff before its openids fail (BLACKLIST_JOB_RETRY_WINDOW_SECONDS, default 1 h). Sync routes keep
   * the HTTP client's short budget.
   */
  transientRetryWindowSeconds: number;
}

/** What sandbox mode supplies in place of production variables. */
export interface SandboxSupplement {
  operatorApiKey: string;
  secretsKey: string;
  wechat: WeChatSettings;
}

export function resolveGatewayConfig(
  env: EnvironmentVariables,
  runtime: { databaseUrl: string; sandbox?: SandboxSupplement },
): GatewayConfig {
  const port = env.PORT ?? 3000;
  const sandbox = runtime.sandbox;
  const mode: GatewayMode = env.WECHAT_COMPONENT_APPID ? 'production' : 'sandbox';
  if (mode === 'sandbox' && !sandbox) throw new Error('sandbox mode needs the sandbox supplement');
  const operatorKeys = parseOperatorKeys(env.OPERATOR_API_KEYS ?? sandbox?.operatorApiKey ?? '').keys;
  const wechat: WeChatSettings =
    mode === 'production'
      ? {
          componentAppId: env.WECHAT_COMPONENT_APPID!,
          componentAppSecret: env.WECHAT_COMPONENT_APPSECRET!,
          componentToken: env.WECHAT_COMPONENT_TOKEN!,
          encodingAESKey: env.WECHAT_COMPONENT_ENCODING_AES_KEY!,
          previousEncodingAESKey: env.WECHAT_COMPONENT_PREVIOUS_ENCODING_AES_KEY,
          apiBaseUrl: env.WECHAT_API_BASE_URL ?? 'https://api.weixin.qq.com',
          mpBaseUrl: env.WECHAT_MP_BASE_URL ?? 'https://mp.weixin.qq.com',
          openBaseUrl: env.WECHAT_OPEN_BASE_URL ?? 'https://open.weixin.qq.com',
        }
      : sandbox!.wechat;
  return {
    mode,
    port,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: runtime.databaseUrl,
    migrationsRun: env.MIGRATIONS_RUN !== 'false',
    consoleTimeZone: env.CONSOLE_TIME_ZONE ?? 'Asia/Shanghai',
    operatorApiKeys: operatorKeys.map((k) => k.key),
    operatorKeyNames: new Map(operatorKeys.map((k) => [k.key, k.name])),
    secretsKey: decodeSecretKey(env.SECRETS_ENCRYPTION_KEY ?? sandbox!.secretsKey, 'SECRETS_ENCRYPTION_KEY'),
    previousSecretsKey: env.SECRETS_PREVIOUS_ENCRYPTION_KEY
      ? decodeSecretKey(env.SECRETS_PREVIOUS_ENCRYPTION_KEY, 'SECRETS_PREVIOUS_ENCRYPTION_KEY')
      : undefined,
    wechat,
    logLevel: env.LOG_LEVEL ?? 'info',
    blacklist: {
      concurrencyPerTenant: env.BLACKLIST_CONCURRENCY_PER_TENANT ?? 4,
      callsPerSecondPerTenant: env.BLACKLIST_CALLS_PER_SECOND_PER_TENANT ?? 50,
      quotaResetAfterSeconds: env.BLACKLIST_QUOTA_RESET_AFTER_SECONDS,
      jobs:
        env.BLACKLIST_JOB_RETRY_WINDOW_SECONDS === undefined
          ? undefined
          : { transientRetryWindowSeconds: env.BLACKLIST_JOB_RETRY_WINDOW_SECONDS },
    },
    webhooks: {
      allowPrivateUrls: env.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
      retryScheduleSeconds: env.WEBHOOK_RETRY_SCHEDULE?.split(',').map((s) => Number(s.trim())),
      concurrency: env.WEBHOOK_CONCURRENCY,
      concurrencyPerEndpoint: env.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
      pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      endpointsPerTenant: env.WEBHOOK_ENDPOINTS_PER_TENANT,
    },
    componentTicketStaleAfterSeconds: env.COMPONENT_TICKET_STALE_AFTER_SECONDS,
    wechatProxy: {
      extraPaths: (env.WECHAT_PROXY_EXTRA_PATHS ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    },
    goLiveTestAppIds: env.WECHAT_GO_LIVE_TEST_APPIDS?.split(',').map((s) => s.trim()),
    rateLimits: { failedAuthPerMinute: env.AUTH_FAILURES_PER_MINUTE, publicRequestsPerMinute: env.PUBLIC_REQUESTS_PER_MINUTE },
    metrics: { port: env.METRICS_PORT === port ? undefined : env.METRICS_PORT, token: env.METRICS_TOKEN },
    onboardingReturnUrlOrigins: env.ONBOARDING_RETURN_URL_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => new URL(o).origin),
    componentDailyCallBudget: env.COMPONENT_DAILY_CALL_BUDGET,
    authorizerReconcileCron: env.AUTHORIZER_RECONCILE_CRON,
    retention: {
      webhookDays: env.RETENTION_WEBHOOK_DAYS,
      messageReceiptsDays: env.RETENTION_MESSAGE_RECEIPTS_DAYS,
      jobItemsDays: env.RETENTION_JOB_ITEMS_DAYS,
      apiCallsDays: env.RETENTION_API_CALLS_DAYS,
      codeExchangesDays: env.RETENTION_CODE_EXCHANGES_DAYS,
      auditDays: env.RETENTION_AUDIT_DAYS,
    },
    tokenRenewal: { intervalMs: env.TOKEN_RENEWAL_INTERVAL_MS, concurrency: env.TOKEN_RENEWAL_CONCURRENCY },
    brand: {
      name: env.BRAND_NAME,
      ...(env.BRAND_LOGO_URL?.startsWith('https://')
        ? { logoUrl: env.BRAND_LOGO_URL }
        : env.BRAND_LOGO_URL
          ? { logoFile: resolve(env.BRAND_LOGO_URL) }
          : {}),
    },
  };
}

/** The console's "message and event URL": WeChat puts the authorized account's appid in place of $APPID$. */
export function messageEventUrlTemplate(config: Pick<GatewayConfig, 'publicBaseUrl'>): string {
  return `${config.publicBaseUrl}/wechat/authorizers/$APPID$/events`;
}

/** The name an operator key acts under in the audit trail. */
export function operatorKeyName(config: Pick<GatewayConfig, 'operatorKeyNames'>, key: string): string {
  return config.operatorKeyNames?.get(key) ?? operatorKeyFingerprint(key);
}
