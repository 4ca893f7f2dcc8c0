import { request } from './http';

/**
 * A minimal Chrome DevTools Protocol client for a gateway started with --inspect=127.0.0.1:<port>
 * (profile runs only): the sampling heap profiler, told to keep objects the GC already collected,
 * shows who allocates, which is what drives V8's heap growth (and so RSS) when little is retained.
 */
export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const list = await request<{ webSocketDebuggerUrl: string }[]>('GET', `http://127.0.0.1:${port}/json/list`);
    const ws = new WebSocket(list.json[0].webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('inspector connection failed')), { once: true });
    });
    return new Inspector(ws);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  close(): void {
    this.ws.close();
  }
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface AllocationSummary {
  sampledMB: number;
  byFunction: { name: string; MB: number; percent: number }[];
  byModule: { name: string; MB: number; percent: number }[];
  /** Allocation by the nearest gateway (dist/) function up the stack. */
  byGatewayCode: { name: string; MB: number; percent: number }[];
}

function moduleOf(url: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path || '(native)';
}

/** Totals of a HeapProfiler.stopSampling profile by function, by package/file and by gateway function. */
export function summariseAllocations(head: SamplingNode, top = 12): AllocationSummary {
  const byFn = new Map<string, number>();
  const byMod = new Map<string, number>();
  const byOwn = new Map<string, number>();
  let total = 0;
  const walk = (n: SamplingNode, own: string | undefined) => {
    const f = n.callFrame;
    const mod = moduleOf(f.url);
    const here =
      mod.startsWith('dist/') && !mod.includes('node_modules')
        ? `${f.functionName || '(anonymous)'} ${mod}:${f.lineNumber + 1}`
        : own;
    if (n.selfSize) {
      total += n.selfSize;
      const fn = `${f.functionName || '(anonymous)'} ${mod}${mod.includes('/') ? `:${f.lineNumber + 1}` : ''}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + n.selfSize);
      byMod.set(mod, (byMod.get(mod) ?? 0) + n.selfSize);
      const o = here ?? '(outside gateway code)';
      byOwn.set(o, (byOwn.get(o) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, undefined);
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({
        name,
        MB: Math.round((bytes / 2 ** 20) * 10) / 10,
        percent: Math.round((bytes / total) * 1000) / 10,
      }));
  return {
    sampledMB: Math.round((total / 2 ** 20) * 10) / 10,
    byFunction: list(byFn),
    byModule: list(byMod),
    byGatewayCode: list(byOwn),
  };
}
