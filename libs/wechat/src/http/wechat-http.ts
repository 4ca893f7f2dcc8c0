// Over 300 lines on purpose: the retry policy, deadlines and the call-event report are one state
// machine per call (typed JSON calls and proxied ones alike); split, each half would need the
// other's internals to be read correctly.
import axios, { type AxiosInstance, type RawAxiosRequestHeaders } from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isOutcomeUnknown, WeChatApiError, WeChatTransportError, type WeChatTransportReason } from '../errors/api-errors';
import { WeChatError } from '../errors/wechat-error';
import type { WeChatErrorKind } from '../errors/error-kinds';
import type { WeChatApiPath } from '../permissions/proxy-paths';
import type { WeChatApiName, WeChatCallTarget } from '../types';
import { CONNECT_TIMEOUT_CODE, withConnectTimeout } from './connect-timeout';

export interface WeChatRetryOptions {
  /** Attempts in total for transient failures (-1, network, timeout, 5xx) of idempotent calls. Default 3. */
  tries?: number;
  /** Backoff cap grows base·2^n up to maxDelayMs; the actual wait is uniform in [0, cap). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Wait after 45011 (per-minute limit) before trying again. Default 60000. */
  minuteLimitWaitMs?: number;
  /** How many times a 45011 is waited out before giving up. Default 2. */
  minuteLimitRetries?: number;
}

export type WeChatCallOutcome = 'ok' | 'api-error' | 'transport-error';

export interface WeChatCallOptions {
  /** Safe to send again after an unknown outcome (-1, 5xx, timeout): a read, or a write WeChat applies idempotently. */
  idempotent?: boolean;
}

/** A caller's request to an Official Account API, passed through as it is. */
export interface WeChatForwardRequest {
  method: 'GET' | 'POST';
  path: WeChatApiPath;
  /** The caller's query string (without `?`); its access_token, if any, is replaced. */
  query: string;
  body?: Buffer;
  contentType?: string;
  idempotent: boolean;
}

/** WeChat's reply, as it is. */
export interface WeChatForwardedReply {
  httpStatus: number;
  contentType?: string;
  body: Buffer;
  /** The reply's errcode; 0 when it carries none. */
  errcode: number;
  /** Set when errcode is not 0: what it means. */
  error?: WeChatApiError;
}

/** Reported once per HTTP attempt (retries included), e.g. for metrics. */
export interface WeChatCallEvent {
  /** The typed API, or the path of a proxied call. */
  api: WeChatCallTarget;
  durationMs: number;
  outcome: WeChatCallOutcome;
  attempt: number;
  errcode?: number;
  kind?: WeChatErrorKind;
  reason?: WeChatTransportReason;
  httpStatus?: number;
}

export interface WeChatHttpOptions {
  /** e.g. https://api.weixin.qq.com, or the simulator's URL in tests. */
  baseUrl: string;
  /** Deadline for one attempt, connect to last byte. Default 10000. */
  timeoutMs?: number;
  /** Deadline for establishing a new TCP connection. Default 3000. */
  connectTimeoutMs?: number;
  retry?: WeChatRetryOptions;
  onCall?: (event: WeChatCallEvent) => void;
  /** Replies larger than this are refused. Default 16 MiB (a 10,000-openid blacklist page is ~300 KB). */
  maxResponseBytes?: number;
  /** Custom DNS resolution (e.g. a caching resolver); resolution counts toward the connect timeout. */
  lookup?: LookupFunction;
  /** Injectable so tests do not really wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable jitter source, [0, 1). */
  random?: () => number;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  connectTimeoutMs: 3_000,
  tries: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  minuteLimitWaitMs: 60_000,
  minuteLimitRetries: 2,
  maxResponseBytes: 16 * 1024 * 1024,
};

// Request fields whose values must never be echoed into an error message.
const SECRET_BODY_FIELDS = ['component_appsecret', 'component_secret', 'component_verify_ticket', 'authorizer_refresh_token'];

/** A path and query that URL parsing would leave as they are: no dot segments, nothing to escape. */
const PLAIN_PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)+\/?(\?[A-Za-z0-9_.~%&=+*-]*)?$/;

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** One HTTP reply, whole, as bytes (statuses, JSON and errcodes are read by the callers). */
interface HttpReply {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one HTTP client for WeChat's JSON APIs: one axios instance per base URL on keep-alive agents,
 * with connect and response deadlines, errcode translation and the retry policy. Typed clients
 * (ComponentApi, BlacklistApi) sit on top of it.
 */
export class WeChatHttp {
  private readonly baseUrl: string;
  private readonly client: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly timeoutMs: number;
  private readonly retry: Required<WeChatRetryOptions>;
  private readonly onCall?: (event: WeChatCallEvent) => void;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(opts: WeChatHttpOptions) {
    const url = safeUrl(opts?.baseUrl);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TypeError('WeChatHttp: baseUrl must be an http(s) URL');
    }
    this.timeoutMs = positive(opts.timeoutMs, DEFAULTS.timeoutMs);
    const connectTimeoutMs = positive(opts.connectTimeoutMs, DEFAULTS.connectTimeoutMs);
    const retry = opts.retry ?? {};
    this.retry = {
      tries: atLeast(retry.tries, DEFAULTS.tries, 1, true),
      baseDelayMs: atLeast(retry.baseDelayMs, DEFAULTS.baseDelayMs, 0),
      maxDelayMs: atLeast(retry.maxDelayMs, DEFAULTS.maxDelayMs, 0),
      minuteLimitWaitMs: atLeast(retry.minuteLimitWaitMs, DEFAULTS.minuteLimitWaitMs, 0),
      minuteLimitRetries: atLeast(retry.minuteLimitRetries, DEFAULTS.minuteLimitRetries, 0, true),
    };
    this.onCall = opts.onCall;
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;

    // Keep-alive: token refreshes and blacklist batches come in bursts, and a
    // TLS handshake to WeChat costs more than the call itself. As many idle sockets are kept as
    // may be open, so the next burst does not reconnect what the last one opened.
    this.httpAgent = withConnectTimeout(
      new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, lookup: opts.lookup }),
      connectTimeoutMs,
    );
    this.httpsAgent = withConnectTimeout(
      new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, lookup: opts.lookup }),
      connectTimeoutMs,
    );
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.client = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // Idle time on the socket; the deadline for the whole exchange is the signal (exchange()).
      timeout: this.timeoutMs,
      // Bytes in, bytes out: JSON is parsed by the callers, and the proxy hands replies on verbatim.
      responseType: 'arraybuffer',
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      maxContentLength: positive(opts.maxResponseBytes, DEFAULTS.maxResponseBytes),
      maxBodyLength: Infinity,
      maxRedirects: 0,
      // No environment proxy, no compression asked for (a proxied reply is passed on as it came).
      proxy: false,
      decompress: false,
      validateStatus: () => true,
    });
  }

  /** Statuses, JSON and errcodes are all interpreted by the callers, in one place each. */
  private async send(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    headers: RawAxiosRequestHeaders,
    body: Buffer | undefined,
    signal: AbortSignal,
  ): Promise<HttpReply> {
    const relative = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
    // Our own API paths are used as they are; anything else (a proxied path) is normalised by URL.
    const url = PLAIN_PATH.test(relative) ? this.baseUrl + relative : new URL(this.baseUrl + relative).toString();
    const response = await this.client.request<Buffer>({
      method,
      url,
      headers: { ...headers, 'Accept-Encoding': 'identity' },
      data: body,
      signal,
    });
    const data = response.data;
    return {
      status: response.status,
      headers: response.headers as Record<string, unknown>,
      body: Buffer.isBuffer(data) ? data : Buffer.from(data),
    };
  }

  /**
   * POSTs JSON and returns the parsed reply. Throws WeChatApiError for a
   * non-zero errcode and WeChatTransportError when WeChat was unreachable or
   * answered nonsense, after the retries the policy allows: transient failures
   * (-1, network, timeout, 5xx) are retried only for a call marked idempotent,
   * since WeChat may have applied a write whose answer was lost.
   */
  post<T>(
    api: WeChatApiName,
    path: string,
    query: Record<string, string>,
    body: unknown,
    options: WeChatCallOptions = {},
  ): Promise<T> {
    return this.call<T>('POST', api, path, query, body, options);
  }

  /**
   * GETs a JSON API (the `sns/…` web-authorization calls, `ticket/getticket`), with the same
   * errcode translation and retry policy as post(). The query is sent in the order given
   * (WeChat's documents list the parameters in order; some proxies compare them).
   */
  get<T>(api: WeChatApiName, path: string, query: Record<string, string>, options: WeChatCallOptions = {}): Promise<T> {
    return this.call<T>('GET', api, path, query, undefined, options);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    api: WeChatApiName,
    path: string,
    query: Record<string, string>,
    body: unknown,
    options: WeChatCallOptions,
  ): Promise<T> {
    let attempt = 0;
    let transientFailures = 0;
    let minuteWaits = 0;
    // Once an attempt went unanswered, the call's outcome stays unknown whatever the last one says.
    let unanswered = false;
    const final = (err: unknown) => {
      if (unanswered && err instanceof WeChatError) err.earlierAttemptUnanswered = true;
      return err;
    };
    for (;;) {
      attempt += 1;
      try {
        return await this.attemptOnce<T>(method, api, path, query, body, attempt);
      } catch (err) {
        if (isTransient(err) && options.idempotent) {
          transientFailures += 1;
          if (transientFailures >= this.retry.tries) throw final(err);
          unanswered ||= isOutcomeUnknown(err);
          await this.sleep(this.backoff(transientFailures));
          continue;
        }
        if (err instanceof WeChatApiError && err.kind === 'quota-minute') {
          if (minuteWaits >= this.retry.minuteLimitRetries) throw final(err);
          minuteWaits += 1;
          await this.sleep(this.retry.minuteLimitWaitMs);
          continue;
        }
        // Everything else (bad openid, no permission, revoked, token invalid,
        // daily quota...) would fail the same way again: the caller decides.
        throw final(err);
      }
    }
  }

  /**
   * Sends a caller's request to an Official Account API as it is (method, query, body bytes and
   * content type), with `accessToken` as the access_token (any access_token in `query` is
   * dropped), and returns WeChat's reply as it is. A non-zero errcode is not thrown but
   * classified in `error`, so the caller can both react to its kind and hand the reply on.
   * -1, 5xx and transport failures are retried only when `idempotent`; a 45011 is not waited
   * out (the caller decides). Throws WeChatTransportError when no usable reply came.
   */
  async forward(request: WeChatForwardRequest, accessToken: string): Promise<WeChatForwardedReply> {
    const query = new URLSearchParams(request.query);
    query.delete('access_token');
    query.append('access_token', accessToken);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      let reply: WeChatForwardedReply | undefined;
      let failure: WeChatTransportError | undefined;
      try {
        reply = await this.forwardOnce(request, query, accessToken, attempt);
      } catch (err) {
        if (!(err instanceof WeChatTransportError)) throw err;
        failure = err;
      }
      const transient = failure ? isTransient(failure) : reply?.error?.kind === 'retryable';
      if (!transient || !request.idempotent || attempt >= this.retry.tries) {
        if (failure) throw failure;
        return reply!;
      }
      await this.sleep(this.backoff(attempt));
    }
  }

  /** Releases pooled sockets; call on shutdown. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Full jitter: spreads retries of many concurrent callers instead of synchronising them. */
  private backoff(failures: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (failures - 1));
    return Math.floor(this.random() * cap);
  }

  private async attemptOnce<T>(
    method: 'GET' | 'POST',
    api: WeChatApiName,
    path: string,
    query: Record<string, string>,
    body: unknown,
    attempt: number,
  ): Promise<T> {
    const search = new URLSearchParams(query).toString();
    const payload = method === 'POST' ? Buffer.from(JSON.stringify(body ?? null)) : undefined;
    const headers = method === 'POST' ? JSON_HEADERS : { Accept: 'application/json' };
    const { response, report } = await this.exchange(api, attempt, (signal) =>
      this.send(method, search ? `${path}?${search}` : path, headers, payload, signal),
    );
    const status = response.status;
    const data = parseJsonObject(response.body.toString('utf8'));
    const errcode = data ? errcodeOf(data.errcode) : undefined;
    if (data && errcode !== undefined && errcode !== 0) {
      const error = new WeChatApiError(api, errcode, redact(data.errmsg, query, body));
      report({ outcome: 'api-error', errcode, kind: error.kind, httpStatus: status });
      throw error;
    }
    if (!data || status < 200 || status >= 300) {
      report({ outcome: 'transport-error', reason: 'bad-response', httpStatus: status });
      throw new WeChatTransportError(api, 'bad-response', { httpStatus: status });
    }
    report({ outcome: 'ok', httpStatus: status });
    return data as T;
  }

  /**
   * One HTTP exchange of one attempt, shared by typed calls and forwarded ones: a deadline for the
   * whole exchange (a socket timeout would only measure inactivity), transport failures and
   * HTTP 5xx turned into WeChatTransportError and reported; the caller reads the answer.
   */
  private async exchange(
    api: WeChatCallTarget,
    attempt: number,
    send: (signal: AbortSignal) => Promise<HttpReply>,
  ): Promise<{ response: HttpReply; report: (event: Omit<WeChatCallEvent, 'api' | 'durationMs' | 'attempt'>) => void }> {
    const started = performance.now();
    const report = (event: Omit<WeChatCallEvent, 'api' | 'durationMs' | 'attempt'>) =>
      this.report({ api, attempt, durationMs: performance.now() - started, ...event });
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    let response: HttpReply;
    try {
      response = await send(deadline.signal);
    } catch (err) {
      const error = transportErrorFrom(api, err, deadline.signal.aborted);
      report({ outcome: 'transport-error', reason: error.reason });
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 500) {
      report({ outcome: 'transport-error', reason: 'http-5xx', httpStatus: response.status });
      throw new WeChatTransportError(api, 'http-5xx', { httpStatus: response.status });
    }
    return { response, report };
  }

  private async forwardOnce(
    request: WeChatForwardRequest,
    query: URLSearchParams,
    accessToken: string,
    attempt: number,
  ): Promise<WeChatForwardedReply> {
    const api = request.path;
    const headers: RawAxiosRequestHeaders =
      request.method === 'GET'
        ? { Accept: '*/*' }
        : { 'Content-Type': request.contentType ?? 'application/octet-stream', Accept: '*/*' };
    const { response, report } = await this.exchange(api, attempt, (signal) =>
      this.send(
        request.method,
        `/${request.path}?${query.toString()}`,
        headers,
        request.method === 'GET' ? undefined : (request.body ?? Buffer.alloc(0)),
        signal,
      ),
    );
    const status = response.status;
    const body = response.body;
    const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : undefined;
    // Media downloads are binary; only a body that looks like a JSON object can carry an errcode.
    const data = body[0] === 0x7b ? parseJsonObject(body.toString('utf8')) : undefined;
    const errcode = (data && errcodeOf(data.errcode)) ?? 0;
    if (errcode !== 0) {
      const error = new WeChatApiError(api, errcode, redact(data?.errmsg, { access_token: accessToken }, undefined));
      report({ outcome: 'api-error', errcode, kind: error.kind, httpStatus: status });
      return { httpStatus: status, contentType, body, errcode, error };
    }
    report({ outcome: 'ok', httpStatus: status });
    return { httpStatus: status, contentType, body, errcode };
  }

  private report(event: WeChatCallEvent): void {
    if (!this.onCall) return;
    try {
      this.onCall(event);
    } catch {
      // An observer must never turn a WeChat call into a failure.
    }
  }
}

function isTransient(err: unknown): boolean {
  if (err instanceof WeChatApiError) return err.kind === 'retryable';
  if (err instanceof WeChatTransportError) return err.reason !== 'bad-response';
  return false;
}

/** Maps a transport failure to a reason and a bare system code; nothing else is kept (messages may hold the URL). */
function transportErrorFrom(api: WeChatCallTarget, err: unknown, deadlineHit: boolean): WeChatTransportError {
  const code = (err as { code?: unknown } | null)?.code;
  const networkCode = typeof code === 'string' ? code : undefined;
  let reason: WeChatTransportReason = 'network';
  if (deadlineHit || networkCode === CONNECT_TIMEOUT_CODE || networkCode === 'ETIMEDOUT' || networkCode === 'ECONNABORTED') {
    reason = 'timeout';
  } else if (networkCode === 'ERR_BAD_RESPONSE' && /maxContentLength/.test((err as Error).message)) {
    reason = 'bad-response'; // a reply over maxResponseBytes: retrying would fetch the same oversized body
  }
  return new WeChatTransportError(api, reason, {
    networkCode: deadlineHit ? undefined : networkCode,
  });
}

function parseJsonObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errcodeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

/** WeChat's errmsg is free text; make sure it cannot smuggle our secrets into logs. */
function redact(errmsg: unknown, query: Record<string, string>, body: unknown): string {
  let text = typeof errmsg === 'string' ? errmsg : '';
  const secrets = Object.values(query);
  if (body && typeof body === 'object') {
    for (const field of SECRET_BODY_FIELDS) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string') secrets.push(value);
    }
  }
  for (const secret of secrets) {
    if (secret.length >= 6) text = text.split(secret).join('[redacted]');
  }
  return text.slice(0, 500);
}

function safeUrl(value: unknown): URL | undefined {
  try {
    return typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

/** A finite number not below `min` (NaN would silently disable the retry bounds). */
function atLeast(value: number | undefined, fallback: number, min: number, integer = false): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(min, integer ? Math.floor(value) : value);
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
