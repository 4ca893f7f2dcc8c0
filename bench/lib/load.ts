import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** A body per request, so consecutive calls can carry different openids. */
  body?: () => string;
  /** Or the whole request (path, headers, body) per request, e.g. to rotate over tenants. */
  requestFor?: () => { method: string; path: string; headers?: Record<string, string>; body?: string };
  connections: number;
  /** Seconds; or give amount. */
  duration?: number;
  amount?: number;
  /** Requests per second over all connections (open pace); unset: as fast as the connections go. */
  rate?: number;
  /** True when a response body is what a successful call answers. */
  verify: (body: string) => boolean;
}

export interface LoadResult {
  requests: number;
  ok: number;
  seconds: number;
  rps: number;
  /** Latency of every 2xx response, milliseconds, at full (sub-millisecond) resolution. */
  latencies: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
}

/**
 * One autocannon run. Latencies are collected from autocannon's per-response event rather than
 * its histogram, which records whole milliseconds: the gateway's overhead is a few of them.
 */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let ok = 0;
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        pipelining: 1,
        // autocannon rejects keys present but undefined: give exactly one of the two.
        ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
        timeout: 30,
        ...(spec.rate ? { overallRate: spec.rate } : {}),
        requests: [
          {
            method: spec.method ?? 'POST',
            headers: { 'content-type': 'application/json', ...spec.headers },
            setupRequest: (req) => (spec.requestFor ? { ...req, ...spec.requestFor() } : { ...req, body: spec.body?.() }),
          },
        ],
        verifyBody: spec.verify,
      },
      (err, result) => {
        if (err) return reject(err);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({
          requests: latencies.length + result.non2xx,
          ok,
          seconds,
          rps: ok / seconds,
          latencies,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          mismatches: result.mismatches,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latencies.push(responseTime);
      }
    });
  });
}

/** Nearest-rank percentile of an unsorted sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Cycles through windows of `size` openids, so consecutive calls carry different ones. */
export function openidWindows(openids: string[], size: number): () => string[] {
  if (openids.length < size) throw new Error(`need at least ${size} openids, have ${openids.length}`);
  let i = 0;
  return () => {
    if (i + size > openids.length) i = 0;
    const w = openids.slice(i, i + size);
    i += size;
    return w;
  };
}

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);
