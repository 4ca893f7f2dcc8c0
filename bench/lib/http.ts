/** Small fetch helpers for setup and checks (the measured load goes through autocannon). */

export interface HttpReply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Don't follow redirects (the onboarding flow reads each Location itself). */
  manual?: boolean;
  timeoutMs?: number;
}

export async function request<T = unknown>(method: string, url: string, opts: RequestOptions = {}): Promise<HttpReply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(url, {
    method,
    headers,
    body,
    redirect: opts.manual ? 'manual' : 'follow',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let json: unknown = undefined;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json: json as T };
}

/** Like request, but anything other than the expected status is an error naming the call. */
export async function expectStatus<T = unknown>(
  expected: number,
  method: string,
  url: string,
  opts: RequestOptions = {},
): Promise<HttpReply<T>> {
  const reply = await request<T>(method, url, opts);
  if (reply.status !== expected) {
    throw new Error(`${method} ${url} answered ${reply.status} (expected ${expected}): ${reply.text.slice(0, 500)}`);
  }
  return reply;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until check() returns a value, or fails after timeoutMs naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
