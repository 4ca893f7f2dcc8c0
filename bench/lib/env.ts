import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { expectStatus, request, sleep, waitFor } from './http';
import {
  database,
  DIST,
  GATEWAY_MAIN,
  gatewayNodeFlags,
  MINIMAL_PROXY_PROCESS,
  STACK_FLOOR_PROCESS,
  type RunningPostgres,
  SIM_PROCESS,
} from './project';

/** The component identity a simulator and its gateways share (shapes the gateway's env validation accepts). */
export interface ComponentIdentity {
  componentAppId: string;
  componentAppSecret: string;
  componentToken: string;
  encodingAESKey: string;
}

export function randomComponent(): ComponentIdentity {
  const alnum = (n: number) =>
    randomBytes(n * 2)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, n);
  return {
    componentAppId: `wxbench${randomBytes(5).toString('hex')}`,
    componentAppSecret: randomBytes(16).toString('hex'),
    componentToken: `bench${alnum(12)}`,
    encodingAESKey: alnum(43),
  };
}

export interface Simulator {
  url: string;
  pid: number;
  component: ComponentIdentity;
  /** The control API (/__sim/...): JSON in, JSON out, any non-2xx is an error. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface Gateway {
  url: string;
  pid: number;
  port: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRss(): number;
  /** Current resident set size (VmRSS), bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  databaseUrl: string;
  sim: Simulator;
  operatorKey: string;
  secretsKey: string;
  /** Extra environment, e.g. BLACKLIST_CALLS_PER_SECOND_PER_TENANT. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile into this directory when the process exits. */
  cpuProfileDir?: string;
  /** Allow heap snapshots on SIGUSR2, written into this directory (see heap.ts). */
  heapSnapshotDir?: string;
  /** Open the inspector on 127.0.0.1:<port> (see inspector.ts). */
  inspectPort?: number;
  /** Another build's output directory to run instead of this one (the ab scenario). */
  dist?: string;
  label: string;
}

function readProcStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time a process has used so far in user and in kernel mode, ms; NaN once it is gone. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(f[11]) * 1000) / CLOCK_TICKS_PER_SECOND, system: (Number(f[12]) * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** System calls a process has made so far that read (read, recv…) and that write (write, writev, send…); NaN once it is gone. */
export function syscallCounts(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: NaN, writes: NaN };
  }
}

export function cpuMs(pid: number): number {
  const c = cpuSplitMs(pid);
  return c.user + c.system;
}

/** Exits within timeoutMs after SIGTERM, or is killed. */
async function terminate(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Everything one `npm run bench` starts: a PostgreSQL in a temporary directory (one database per
 * scenario), simulators and gateways as child processes. All of it listens on 127.0.0.1 only and
 * is stopped by close(), also when a scenario fails or the runner is interrupted.
 */
export class BenchEnv {
  readonly dir: string;
  private pg?: RunningPostgres;
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: (() => Promise<void>)[] = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'wtg-bench-'));
    // As root, PostgreSQL runs as the 'postgres' user, which must be able to reach the data dir.
    chmodSync(this.dir, 0o755);
    mkdirSync(join(this.dir, 'logs'));
  }

  get logDir(): string {
    return join(this.dir, 'logs');
  }

  async postgres(): Promise<RunningPostgres> {
    if (!this.pg) {
      const lib = database();
      const port = await lib.findFreePort();
      this.pg = await lib.startEmbeddedPostgres({
        dataDir: join(this.dir, 'pg'),
        port,
        database: 'bench',
        onLog: (chunk) => {
          for (const line of chunk.split('\n')) if (line.trim()) this.pgLog.push(line);
          // Only a trace reads these; keep the rest bounded.
          if (!this.tracing && this.pgLog.length > 1000) this.pgLog.splice(0, this.pgLog.length - 1000);
        },
      });
    }
    return this.pg;
  }

  /**
   * CPU time used so far by the PostgreSQL server, ms: the postmaster's own, that of the backends
   * and workers it has reaped (its cutime/cstime, so connections that closed still count) and
   * that of those still running.
   */
  postgresCpuMs(): number {
    let postmaster: number;
    try {
      postmaster = Number(readFileSync(join(this.dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return NaN;
    }
    const fields = (pid: number | string) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    let total: number;
    try {
      // utime, stime, cutime, cstime: the 12th to 15th fields after the command name.
      const f = fields(postmaster);
      total = ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return NaN;
    }
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = fields(entry);
        if (Number(f[1]) === postmaster) total += ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
      } catch {
        // exited meanwhile (and reaped into the postmaster's cutime, or about to be)
      }
    }
    return total;
  }

  private readonly pgLog: string[] = [];
  private tracing = false;

  /**
   * Every SQL statement PostgreSQL executes while action() runs (log_statement = all, switched on
   * for the server and off again). Statement text only: parameter values are not kept.
   */
  async traceSql(action: () => Promise<void>): Promise<string[]> {
    const pg = await this.postgres();
    const admin = new Client({ connectionString: pg.adminUrl });
    await admin.connect();
    try {
      await admin.query(`ALTER SYSTEM SET log_statement = 'all'`);
      await admin.query('SELECT pg_reload_conf()');
      await sleep(500);
      this.tracing = true;
      const from = this.pgLog.length;
      await action();
      await sleep(200);
      const lines = this.pgLog.slice(from);
      this.tracing = false;
      await admin.query(`ALTER SYSTEM RESET log_statement`);
      await admin.query('SELECT pg_reload_conf()');
      // A multi-line statement continues on lines without the timestamp prefix.
      const entries: string[] = [];
      for (const l of lines) {
        if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(l) || entries.length === 0) entries.push(l);
        else entries[entries.length - 1] += ` ${l}`;
      }
      return entries
        .map((l) => /LOG:\s+(?:statement|execute [^:]*):\s+([\s\S]*)$/.exec(l)?.[1])
        .filter((l): l is string => !!l && !/ALTER SYSTEM|pg_reload_conf/.test(l))
        .map((l) => l.replace(/\s+/g, ' ').trim());
    } finally {
      this.tracing = false;
      await admin.end();
    }
  }

  /** A fresh, empty database; the first gateway started on it runs the migrations. */
  async createDatabase(name: string): Promise<string> {
    const pg = await this.postgres();
    const db = `bench_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${Date.now()}`;
    const admin = new Client({ connectionString: pg.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${db}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(pg.url);
    url.pathname = `/${db}`;
    return url.toString();
  }

  async startSimulator(label: string, options: Record<string, unknown> = {}): Promise<Simulator> {
    const component = randomComponent();
    const errFile = join(this.logDir, `${label}.stderr.log`);
    const errFd = openSync(errFile, 'a');
    const child = spawn(process.execPath, [SIM_PROCESS], {
      env: { PATH: process.env.PATH ?? '', BENCH_DIST: DIST, BENCH_SIM_OPTIONS: JSON.stringify({ ...component, ...options }) },
      stdio: ['pipe', 'pipe', errFd],
    });
    closeSync(errFd);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator ${label} did not start in 20 s: ${tail(errFile)}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`simulator ${label} exited (${code}): ${tail(errFile)}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch {
          reject(new Error(`simulator ${label} printed ${line}`));
        }
      });
    });
    const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const reply = await request<T>(method, `${url}/__sim${path}`, { body });
      if (reply.status < 200 || reply.status > 299) {
        throw new Error(`simulator ${method} /__sim${path} answered ${reply.status}: ${reply.text.slice(0, 300)}`);
      }
      return reply.json;
    };
    return { url, pid: child.pid!, component, control, stop: () => terminate(child) };
  }

  /**
   * The minimal pass-through proxy (minimal-proxy.ts) in a process of its own, forwarding to sim
   * with token; `tenantJson` is what it answers a GET with. `stack`: the same answers through the
   * gateway's own stack alone (stack-floor.ts), logging a line per request to the run's logs.
   */
  async startMinimalProxy(
    label: string,
    sim: Simulator,
    token: string,
    tenantJson = '{}',
    kind: 'proxy' | 'stack' = 'proxy',
  ): Promise<{ url: string; pid: number }> {
    const errFile = join(this.logDir, `${label}.stderr.log`);
    const errFd = openSync(errFile, 'a');
    const child = spawn(process.execPath, [kind === 'stack' ? STACK_FLOOR_PROCESS : MINIMAL_PROXY_PROCESS], {
      env: {
        PATH: process.env.PATH ?? '',
        ...(kind === 'stack' ? { BENCH_PROXY_LOG_FILE: join(this.logDir, `${label}.log`) } : {}),
        BENCH_PROXY_UPSTREAM: sim.url,
        BENCH_PROXY_TOKEN: token,
        BENCH_PROXY_TENANT_JSON: tenantJson,
      },
      stdio: ['pipe', 'pipe', errFd],
    });
    closeSync(errFd);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy ${label} did not start in 20 s: ${tail(errFile)}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`proxy ${label} exited (${code}): ${tail(errFile)}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
    });
    return { url, pid: child.pid! };
  }

  async startGateway(opts: GatewayOptions): Promise<Gateway> {
    const main = opts.dist ? join(opts.dist, 'apps/gateway/src/main.js') : GATEWAY_MAIN;
    if (!existsSync(main)) throw new Error(`${main} is missing: run the benchmarks with "npm run bench", which builds it`);
    const port = await database().findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = join(this.logDir, `${opts.label}.log`);
    const fd = openSync(logFile, 'a');
    const c = opts.sim.component;
    const args = gatewayNodeFlags();
    if (opts.cpuProfileDir)
      args.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`, `--cpu-prof-name=${opts.label}.cpuprofile`);
    if (opts.heapSnapshotDir) args.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${opts.heapSnapshotDir}`);
    if (opts.inspectPort) args.push(`--inspect=127.0.0.1:${opts.inspectPort}`);
    // A clean environment: nothing from the caller's shell (a stray DATABASE_URL, say) leaks in.
    const child = spawn(process.execPath, [...args, main], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: String(port),
        PUBLIC_BASE_URL: url,
        DATABASE_URL: opts.databaseUrl,
        OPERATOR_API_KEYS: opts.operatorKey,
        SECRETS_ENCRYPTION_KEY: opts.secretsKey,
        // Production mode starts only with /metrics protected; the scenarios read it with this token.
        METRICS_TOKEN: BENCH_METRICS_TOKEN,
        WECHAT_COMPONENT_APPID: c.componentAppId,
        WECHAT_COMPONENT_APPSECRET: c.componentAppSecret,
        WECHAT_COMPONENT_TOKEN: c.componentToken,
        WECHAT_COMPONENT_ENCODING_AES_KEY: c.encodingAESKey,
        WECHAT_API_BASE_URL: opts.sim.url,
        WECHAT_MP_BASE_URL: opts.sim.url,
        WECHAT_OPEN_BASE_URL: opts.sim.url,
        LOG_LEVEL: 'warn',
        // An experiment knob (e.g. --max-old-space-size=128): recorded in every result's setup.
        ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
        ...opts.env,
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
    await waitFor(
      `gateway ${opts.label} to be ready`,
      async () => {
        if (exited) throw new Error(`gateway ${opts.label} ${exited}:\n${tail(logFile)}`);
        const r = await request('GET', `${url}/health/ready`, { timeoutMs: 2000 }).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      90_000,
      200,
    ).catch((e) => {
      child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\n--- ${logFile} ---\n${tail(logFile)}`);
    });
    const pid = child.pid!;
    return {
      url,
      pid,
      port,
      peakRss: () => readProcStatus(pid, 'VmHWM'),
      rss: () => readProcStatus(pid, 'VmRSS'),
      stop: () => terminate(child),
    };
  }

  /** Runs fn at close(), newest first. */
  onClose(fn: () => Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Stops every simulator and gateway still running (gracefully: CPU profiles are written on exit). */
  async stopChildren(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
    this.cleanups.length = 0;
    await Promise.all([...this.children].map((c) => terminate(c, 15_000)));
  }

  /** Stops every child still running (gateways before the database they use), then PostgreSQL. */
  async close(opts: { keepDir?: boolean } = {}): Promise<void> {
    await this.stopChildren();
    if (this.pg) await this.pg.stop().catch(() => undefined);
    this.pg = undefined;
    // Give PostgreSQL a moment to release the directory before removing it.
    await sleep(100);
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Last resort on an abrupt exit: no child may outlive the runner. */
  killAllNow(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

/** The bearer token of every benchmarked gateway's /metrics. */
export const BENCH_METRICS_TOKEN = 'metrics-token-of-bench-gateways';

export function newSecrets() {
  return {
    operatorKey: `op_bench_${randomBytes(16).toString('hex')}`,
    secretsKey: randomBytes(32).toString('base64'),
  };
}

/** Points the simulator's pushes at a gateway and delivers a verify ticket, as WeChat does every 10 minutes. */
export async function deliverTicket(sim: Simulator, gateway: Gateway): Promise<void> {
  await sim.control('PUT', '/event-url', { url: `${gateway.url}/wechat/component/events` });
  const push = await sim.control<{ acknowledged: boolean; httpStatus?: number; reply?: unknown }>('POST', '/push-ticket');
  if (!push.acknowledged) throw new Error(`ticket push not acknowledged: ${JSON.stringify(push)}`);
}

export { expectStatus };
