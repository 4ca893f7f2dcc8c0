import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './project';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** [start, end] in microseconds of the monotonic clock (process.hrtime), which V8's profiler also uses. */
export type ProfileWindow = [number, number];

export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

export interface ProfileEntry {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Only samples inside these windows were counted (the measured phase, not start-up or setup). */
  windows: number;
  sampledMs: number;
  /** Share of samples where the process was busy (not idle). */
  busyPercent: number;
  /** Self time by function. */
  topSelf: ProfileEntry[];
  /** Self time by package (node_modules/<pkg>) or by our own file. */
  topModules: ProfileEntry[];
  /** Inclusive time of our own (dist/) functions: which of the gateway's code paths the time goes through. */
  topOwnInclusive: ProfileEntry[];
  /** For the heaviest self-time functions: who called them (the nearest package or own file up the stack). */
  heaviestCalledFrom: { name: string; from: ProfileEntry[] }[];
}

function where(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  return relative(ROOT, path);
}

function isOwn(url: string): boolean {
  return url.includes('/dist/') && !url.includes('node_modules/');
}

function key(f: CallFrame): string {
  const w = where(f.url);
  const name = f.functionName || '(anonymous)';
  if (!w) return name;
  const file = w.includes('/') && !w.startsWith('node:') ? `${w}:${f.lineNumber + 1}` : w;
  return `${name} ${file}`;
}

/** Summarises one .cpuprofile: where the gateway's CPU time went. */
export function summariseProfile(file: string, windows: ProfileWindow[] = [], top = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    if (windows.length && !windows.some(([a, b]) => at >= a && at <= b)) continue;
    selfMs.set(p.samples[i], (selfMs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  let total = 0;
  let idle = 0;
  const fnSelf = new Map<string, number>();
  const modSelf = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const f = byId.get(id)!.callFrame;
    total += ms;
    if (f.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    fnSelf.set(key(f), (fnSelf.get(key(f)) ?? 0) + ms);
    const mod = where(f.url) || f.functionName || '(native)';
    modSelf.set(mod, (modSelf.get(mod) ?? 0) + ms);
  }

  // Inclusive time per own function, counting each sample once even through recursion.
  const ownIncl = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!isOwn(f.url)) continue;
      const k = key(f);
      if (seen.has(k)) continue;
      seen.add(k);
      ownIncl.set(k, (ownIncl.get(k) ?? 0) + ms);
    }
  }

  // Who calls the heaviest functions (native ones like writev say little on their own).
  const heaviest = [...fnSelf.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k]) => k);
  const callers = new Map<string, Map<string, number>>(heaviest.map((k) => [k, new Map()]));
  for (const [id, ms] of selfMs) {
    const k = key(byId.get(id)!.callFrame);
    const into = callers.get(k);
    if (!into) continue;
    let from = '(unknown)';
    for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
      const w = where(byId.get(cur)!.callFrame.url);
      if (w && !w.startsWith('node:')) {
        from = w;
        break;
      }
    }
    into.set(from, (into.get(from) ?? 0) + ms);
  }

  const busy = total - idle;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: busy > 0 ? Math.round((ms / busy) * 1000) / 10 : 0 }));
  return {
    file,
    windows: windows.length,
    sampledMs: Math.round(total),
    busyPercent: total > 0 ? Math.round((busy / total) * 1000) / 10 : 0,
    topSelf: list(fnSelf),
    topModules: list(modSelf),
    topOwnInclusive: list(ownIncl),
    heaviestCalledFrom: heaviest.map((name) => ({ name, from: list(callers.get(name)!).slice(0, 5) })),
  };
}

export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Prints the summary; `lines` entries of each list when given (else 8 packages, 10 functions, 10 inclusive). */
export function printProfile(s: ProfileSummary, log: (line: string) => void, lines?: number): void {
  const scope = s.windows ? `in the ${s.windows} measured window(s)` : 'over the whole run';
  log(`  CPU profile ${s.file}: ${s.sampledMs} ms sampled ${scope}, ${s.busyPercent}% busy`);
  log('  self time by package/file (% of busy):');
  for (const e of s.topModules.slice(0, lines ?? 8)) log(`    ${e.percent.toString().padStart(5)}%  ${e.name}`);
  log('  self time by function:');
  for (const e of s.topSelf.slice(0, lines ?? 10)) log(`    ${e.percent.toString().padStart(5)}%  ${e.name}`);
  for (const h of s.heaviestCalledFrom) {
    log(`  ${h.name} called from: ${h.from.map((e) => `${e.name} ${e.percent}%`).join(', ')}`);
  }
  log('  inclusive time of gateway code:');
  for (const e of s.topOwnInclusive.slice(0, lines ?? 10)) log(`    ${e.percent.toString().padStart(5)}%  ${e.name}`);
}
