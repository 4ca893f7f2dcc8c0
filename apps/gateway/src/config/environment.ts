import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBase64,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';

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
    message: 'OPERATOR_API_KEYS must be a comma-separated list of keys, each at least 16 characters',
  })
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

  /** A verify ticket older than this is reported stale (status route, component.ticket_stale webhook). */
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(60)
  @Max(43200)
  COMPONENT_TICKET_STALE_AFTER_SECONDS?: number;

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

  /** Where sandbox keys and the embedded database live (default ./.data). */
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(/^[^\0]{1,1024}$/, { message: 'GATEWAY_DATA_DIR must be a directory path (1–1024 characters)' })
  GATEWAY_DATA_DIR?: string;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** Validates the raw environment; throws ConfigurationError naming every bad variable. */
export function validateEnvironment(raw: NodeJS.ProcessEnv): EnvironmentVariables {
  // Unrelated variables ride along harmlessly: only decorated properties are validated.
  const env = plainToInstance(EnvironmentVariables, { ...raw });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigurationError(
      errors.map((e) => ({ variable: e.property, message: Object.values(e.constraints ?? {})[0] ?? 'invalid' })),
    );
  }
  return env;
}
