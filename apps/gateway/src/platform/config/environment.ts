// Over 300 lines on purpose: style rule 3 wants every environment variable in one validated class,
// so a new variable is added here and nowhere else (each is a few decorator lines).
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBase64,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  isURL,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  Validate,
  validateSync,
  type ValidationArguments,
  type ValidatorConstraintInterface,
  ValidatorConstraint,
} from 'class-validator';
import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { describeProblem } from './environment-problems';
import { PgBoss } from 'pg-boss';
import { parseOperatorKeys } from './operator-keys';

/** pg-boss runs the schedules, so an expression is valid when pg-boss reads it (parsing only: it never connects). */
function isFiveFieldCron(text: string): boolean {
  if (text.trim().split(/\s+/).length !== 5) return false;
  try {
    new PgBoss({ connectionString: 'postgres://localhost/unused' }).previewSchedule(text, { count: 1, tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

@ValidatorConstraint({ name: 'reconcileCron' })
class ReconcileCronConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && (value === 'off' || isFiveFieldCron(value));
  }

  defaultMessage(): string {
    return 'AUTHORIZER_RECONCILE_CRON must be a five-field cron expression (UTC) or off';
  }
}

/** BRAND_LOGO_URL: an https URL, or an image file (png, jpg, gif, webp, svg) inside the data directory that exists. */
@ValidatorConstraint({ name: 'brandLogo' })
class BrandLogoConstraint implements ValidatorConstraintInterface {
  validate(value: unknown, args?: ValidationArguments): boolean {
    if (typeof value !== 'string') return false;
    if (value.startsWith('https://')) return isURL(value, { protocols: ['https'], require_protocol: true, require_tld: false });
    const dataDir = resolve((args?.object as EnvironmentVariables | undefined)?.GATEWAY_DATA_DIR ?? '.data');
    const file = resolve(value);
    return (
      file.startsWith(`${dataDir}${sep}`) &&
      BRAND_LOGO_TYPES.has(extname(file).toLowerCase()) &&
      existsSync(file) &&
      statSync(file).isFile()
    );
  }
  defaultMessage(): string {
    return 'BRAND_LOGO_URL must be an https URL or an image file (png, jpg, gif, webp, svg) under the data directory (GATEWAY_DATA_DIR, default ./.data)';
  }
}

/** Logo files the gateway serves, by extension. */
export const BRAND_LOGO_TYPES = new Map([
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.gif', 'image/gif'],
  ['.webp', 'image/webp'],
  ['.svg', 'image/svg+xml'],
]);

/** An IANA zone name the runtime knows (Intl throws RangeError for anything else). */
@ValidatorConstraint({ name: 'timeZone' })
class TimeZoneConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'CONSOLE_TIME_ZONE must be an IANA time zone name such as Asia/Shanghai or UTC';
  }
}

/** OPERATOR_API_KEYS entries (operator-keys.ts): strong keys, named or bare; the message names entries by position, never by value. */
@ValidatorConstraint({ name: 'operatorKeys' })
class OperatorKeyStrength implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value !== 'string' || parseOperatorKeys(value).problems.length === 0;
  }
  defaultMessage(args?: ValidationArguments): string {
    return parseOperatorKeys(String(args?.value ?? '')).problems.join('; ');
  }
}

const positiveInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

const isProduction = (env: EnvironmentVariables) => env.WECHAT_COMPONENT_APPID !== undefined;
const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * Every environment variable the gateway reads, in one place. Production mode is
 * "WECHAT_COMPONENT_APPID is set": then every WeChat variable, the operator keys and
 * the secrets key are required. Without it the gateway runs in sandbox mode against
 * the bundled simulator and generates what it needs into .data/.
 */
export class EnvironmentVariables {
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Transform(trimmed)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsUrl(url, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL?: string;

  @ValidateIf((env) => isProduction(env) || env.OPERATOR_API_KEYS !== undefined)
  @Transform(trimmed)
  @IsString()
  @Matches(/^\s*[^,\s]{16,}\s*(,\s*[^,\s]{16,}\s*)*$/, {
    message: 'OPERATOR_API_KEYS must be a comma-separated list of keys or name:key entries, each at least 16 characters',
  })
  @Validate(OperatorKeyStrength)
  OPERATOR_API_KEYS?: string;

  @ValidateIf((env) => isProduction(env) || env.SECRETS_ENCRYPTION_KEY !== undefined)
  @Transform(trimmed)
  @IsBase64({}, { message: 'SECRETS_ENCRYPTION_KEY must be 32 bytes, base64' })
  @Length(43, 44, { message: 'SECRETS_ENCRYPTION_KEY must be 32 bytes, base64' })
  SECRETS_ENCRYPTION_KEY?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsBase64({}, { message: 'SECRETS_PREVIOUS_ENCRYPTION_KEY must be 32 bytes, base64' })
  @Length(43, 44, { message: 'SECRETS_PREVIOUS_ENCRYPTION_KEY must be 32 bytes, base64' })
  SECRETS_PREVIOUS_ENCRYPTION_KEY?: string;

  @IsOptional()
  @Transform(trimmed)
  @Matches(/^wx[0-9a-zA-Z_]{6,32}$/, { message: 'WECHAT_COMPONENT_APPID must look like a WeChat appid (wx...)' })
  WECHAT_COMPONENT_APPID?: string;

  @ValidateIf(isProduction)
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty({ message: 'WECHAT_COMPONENT_APPSECRET is required in production mode' })
  WECHAT_COMPONENT_APPSECRET?: string;

  @ValidateIf(isProduction)
  @Transform(trimmed)
  @Matches(/^[A-Za-z0-9]{3,32}$/, { message: 'WECHAT_COMPONENT_TOKEN must be 3-32 letters or digits' })
  WECHAT_COMPONENT_TOKEN?: string;

  @ValidateIf(isProduction)
  @Transform(trimmed)
  @Matches(/^[A-Za-z0-9+/]{43}$/, { message: 'WECHAT_COMPONENT_ENCODING_AES_KEY must be 43 base64 characters' })
  WECHAT_COMPONENT_ENCODING_AES_KEY?: string;

  @IsOptional()
  @Transform(trimmed)
  @Matches(/^[A-Za-z0-9+/]{43}$/, { message: 'WECHAT_COMPONENT_PREVIOUS_ENCODING_AES_KEY must be 43 base64 characters' })
  WECHAT_COMPONENT_PREVIOUS_ENCODING_AES_KEY?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsUrl(url, { message: 'WECHAT_API_BASE_URL must be an http(s) URL' })
  WECHAT_API_BASE_URL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsUrl(url, { message: 'WECHAT_MP_BASE_URL must be an http(s) URL' })
  WECHAT_MP_BASE_URL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsUrl(url, { message: 'WECHAT_OPEN_BASE_URL must be an http(s) URL' })
  WECHAT_OPEN_BASE_URL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: string;

  /** The zone the operator console shows times in. */
  @IsOptional()
  @Transform(trimmed)
  @Validate(TimeZoneConstraint)
  CONSOLE_TIME_ZONE?: string;

  @IsOptional()
  @Transform(trimmed)
  @IsIn(['true', 'false'], { message: 'MIGRATIONS_RUN must be true or false' })
  MIGRATIONS_RUN?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(64)
  BLACKLIST_CONCURRENCY_PER_TENANT?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(10000)
  BLACKLIST_CALLS_PER_SECOND_PER_TENANT?: number;

  /** Tests and sandboxes only: lift a 45009 block after this many seconds instead of at midnight China time. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86400)
  BLACKLIST_QUOTA_RESET_AFTER_SECONDS?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  SANDBOX_SIM_PORT?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT?: number;

  /** Production mode: let webhook URLs reach private, loopback and link-local addresses (sandbox always may). */
  @IsOptional()
  @Transform(trimmed)
  @IsIn(['true', 'false'], { message: 'WEBHOOK_ALLOW_PRIVATE_URLS must be true or false' })
  WEBHOOK_ALLOW_PRIVATE_URLS?: string;

  /** Seconds to wait before each retry after the first attempt; then the delivery is failed. */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^\s*\d{1,6}\s*(,\s*\d{1,6}\s*){0,19}$/, {
    message: 'WEBHOOK_RETRY_SCHEDULE must be 1-20 comma-separated whole numbers of seconds',
  })
  WEBHOOK_RETRY_SCHEDULE?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(256)
  WEBHOOK_CONCURRENCY?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(32)
  WEBHOOK_CONCURRENCY_PER_ENDPOINT?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(50)
  @Max(60000)
  WEBHOOK_POLL_INTERVAL_MS?: number;

  /** Webhook endpoints one tenant may register (the operator's own are not counted); default 10. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_ENDPOINTS_PER_TENANT?: number;

  /** A verify ticket older than this is reported stale (status route, component.ticket_stale webhook). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(60)
  @Max(43200)
  COMPONENT_TICKET_STALE_AFTER_SECONDS?: number;

  /** Five-field cron (UTC) for reconciling WeChat's authorizer list with ours, or `off`; default daily. */
  @IsOptional()
  @Validate(ReconcileCronConstraint)
  AUTHORIZER_RECONCILE_CRON?: string;

  /** How long a job retries a chunk's transient WeChat failures (with backoff) before they fail. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(86_400)
  BLACKLIST_JOB_RETRY_WINDOW_SECONDS?: number;

  /** How often each instance looks for authorizer tokens with under 15 minutes left. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1000)
  @Max(600_000)
  TOKEN_RENEWAL_INTERVAL_MS?: number;

  /** Refreshes each instance's background renewer runs at once. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(64)
  TOKEN_RENEWAL_CONCURRENCY?: number;

  /** Days webhook events and their delivery history are kept (default 30). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_WEBHOOK_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_WEBHOOK_DAYS must be at least 1 (day)' })
  @Max(3650, { message: 'RETENTION_WEBHOOK_DAYS must be at most 3650 (days)' })
  RETENTION_WEBHOOK_DAYS?: number;

  /** Days followers' message receipts are kept (default 3). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_MESSAGE_RECEIPTS_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_MESSAGE_RECEIPTS_DAYS must be at least 1 (day)' })
  @Max(3650, { message: 'RETENTION_MESSAGE_RECEIPTS_DAYS must be at most 3650 (days)' })
  RETENTION_MESSAGE_RECEIPTS_DAYS?: number;

  /** Days a finished blacklist job keeps its per-openid items (default 90; the job's counts stay). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_JOB_ITEMS_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_JOB_ITEMS_DAYS must be at least 1 (day)' })
  @Max(3650, { message: 'RETENTION_JOB_ITEMS_DAYS must be at most 3650 (days)' })
  RETENTION_JOB_ITEMS_DAYS?: number;

  /** Days the component's per-day API call counts are kept (default 30). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_API_CALLS_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_API_CALLS_DAYS must be at least 1 (day)' })
  @Max(3650, { message: 'RETENTION_API_CALLS_DAYS must be at most 3650 (days)' })
  RETENTION_API_CALLS_DAYS?: number;

  /** Days authorization-code exchange outcomes are kept (default 30). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_CODE_EXCHANGES_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_CODE_EXCHANGES_DAYS must be at least 1 (day)' })
  @Max(3650, { message: 'RETENTION_CODE_EXCHANGES_DAYS must be at most 3650 (days)' })
  RETENTION_CODE_EXCHANGES_DAYS?: number;

  /** Days audit events are kept; unset keeps them forever. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt({ message: 'RETENTION_AUDIT_DAYS must be a whole number of days' })
  @Min(1, { message: 'RETENTION_AUDIT_DAYS must be at least 1 (day)' })
  @Max(36500, { message: 'RETENTION_AUDIT_DAYS must be at most 36500 (days)' })
  RETENTION_AUDIT_DAYS?: number;

  /** A receiver that has not answered 2xx within this long counts as a failed attempt. */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(100)
  @Max(30000)
  WEBHOOK_TIMEOUT_MS?: number;

  /** WeChat API path prefixes the proxy may call without a permission gate, e.g. `cgi-bin/shorturl,wxa/`. */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^\s*[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]*)*\s*(,\s*[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]*)*\s*){0,99}$/, {
    message:
      'WECHAT_PROXY_EXTRA_PATHS must be comma-separated WeChat API path prefixes without a leading slash (e.g. cgi-bin/shorturl,wxa/)',
  })
  WECHAT_PROXY_EXTRA_PATHS?: string;

  /** The Official Accounts WeChat's go-live check uses (comma-separated); the built-in five when unset. */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^\s*wx[0-9a-zA-Z_]{6,32}\s*(,\s*wx[0-9a-zA-Z_]{6,32}\s*){0,49}$/, {
    message: 'WECHAT_GO_LIVE_TEST_APPIDS must be a comma-separated list of appids (wx...)',
  })
  WECHAT_GO_LIVE_TEST_APPIDS?: string;

  /** Wrong keys one client address may present per minute before its further wrong keys get 429 (default 20). */
  @IsOptional()
  @Transform(positiveInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  AUTH_FAILURES_PER_MINUTE?: number;

  /** Requests per minute per client address to the onboarding page and the authorization callback (default 60). */
  @IsOptional()
  @Transform(positiveInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  PUBLIC_REQUESTS_PER_MINUTE?: number;

  /** Serve /metrics on this port instead of PORT (then PORT answers 404 for it). */
  @IsOptional()
  @Transform(positiveInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /**
   * When set, /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. Production mode needs it or
   * METRICS_PORT: its counters (routes, tenants' WeChat calls) are not for the public API port.
   */
  @ValidateIf((env) => env.METRICS_TOKEN !== undefined || (isProduction(env) && env.METRICS_PORT === undefined))
  @Transform(trimmed)
  @Matches(/^[\x21-\x7e]{16,512}$/, {
    message: ({ value }) =>
      value === undefined
        ? 'METRICS_TOKEN or METRICS_PORT must be set in production mode (/metrics would otherwise be public on the API ' +
          'port): METRICS_TOKEN to require a bearer token, or METRICS_PORT to serve it on a port only monitoring reaches'
        : 'METRICS_TOKEN must be 16-512 printable characters without spaces',
  })
  METRICS_TOKEN?: string;

  /** Comma-separated origins (`https://shop.example.com`) a session's returnUrl may point at; any origin when unset. */
  @IsOptional()
  @Transform(trimmed)
  @Matches(/^\s*https?:\/\/[^\s,/]+\s*(,\s*https?:\/\/[^\s,/]+\s*)*$/, {
    message: 'ONBOARDING_RETURN_URL_ORIGINS must be a comma-separated list of origins (https://host[:port])',
  })
  ONBOARDING_RETURN_URL_ORIGINS?: string;

  /** Daily calls the component may make to each of api_create_preauthcode and api_query_auth (default 10000). */
  @IsOptional()
  @Transform(positiveInt)
  @IsInt()
  @Min(1)
  @Max(10000000)
  COMPONENT_DAILY_CALL_BUDGET?: number;

  /** The provider's name on the merchant pages ("授权 <BRAND_NAME> 管理您的公众号"). */
  @IsOptional()
  @Transform(trimmed)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  @Matches(/^[^\x00-\x1f\x7f<>]{1,64}$/, { message: 'BRAND_NAME must be 1-64 characters without control characters or < >' })
  BRAND_NAME?: string;

  /** The provider's logo on the merchant pages: an https URL, or an image file under the data directory. */
  @IsOptional()
  @Transform(trimmed)
  @Validate(BrandLogoConstraint)
  BRAND_LOGO_URL?: string;

  /** Where sandbox keys and the embedded database live (default ./.data). */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(/^[^\0]{1,1024}$/, { message: 'GATEWAY_DATA_DIR must be a directory path (1–1024 characters)' })
  GATEWAY_DATA_DIR?: string;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
  }
}

/** Validates the raw environment; throws ConfigurationError naming every bad variable. */
export function validateEnvironment(raw: NodeJS.ProcessEnv): EnvironmentVariables {
  // Unrelated variables ride along harmlessly: only decorated properties are validated.
  const env = plainToInstance(EnvironmentVariables, { ...raw });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((e) => ({
        variable: e.property,
        message: describeProblem(EnvironmentVariables, e.property, raw[e.property], e.constraints ?? {}),
      })),
    );
  }
  return env;
}
