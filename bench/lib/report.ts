import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR } from './project';

export interface Target {
  op: '>=' | '<=' | '==';
  value: number;
}

export interface Metric {
  /** Stable key, e.g. throughput_ratio. */
  key: string;
  label: string;
  value: number;
  unit: string;
  target?: Target;
  /** Set when there is a target. */
  pass?: boolean;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  date: string;
  durationSeconds: number;
  machine: Machine;
  /** What was run: sizes, rates, settings. */
  setup: Record<string, unknown>;
  metrics: Metric[];
  /** Supporting figures (raw per-leg numbers, counts). */
  details: Record<string, unknown>;
  /** What limits a missed target, and anything noticed on the way. */
  notes: string[];
  /** Top of the gateway's CPU profile, when run with --profile. */
  profile?: unknown;
  pass: boolean;
}

export function machine(): Machine {
  const c = cpus();
  return {
    cores: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function metric(key: string, label: string, value: number, unit: string, target?: Target): Metric {
  const m: Metric = { key, label, value, unit };
  if (target) {
    m.target = target;
    m.pass =
      Number.isFinite(value) &&
      (target.op === '>=' ? value >= target.value : target.op === '<=' ? value <= target.value : value === target.value);
  }
  return m;
}

/** bench/results/<scenario>.json; a --quick run goes to <scenario>.quick.tmp and an experiment (ab) to <scenario>.tmp (git-ignored, not in the table). */
export function writeResult(r: ScenarioResult, quick = false, experiment = false): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, experiment ? `${r.scenario}.tmp` : quick ? `${r.scenario}.quick.tmp` : `${r.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

export function readResults(): ScenarioResult[] {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as ScenarioResult);
}

function fmt(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const v = Math.abs(value) >= 100 || Number.isInteger(value) ? String(Math.round(value * 10) / 10) : value.toFixed(2);
  return unit ? `${v} ${unit}` : v;
}

function fmtTarget(t: Target | undefined, unit: string): string {
  if (!t) return '';
  const op = t.op === '==' ? '=' : t.op === '>=' ? '≥' : '≤';
  return `${op} ${fmt(t.value, unit)}`;
}

/** One Markdown table for all scenarios (the same text goes to the terminal and bench/README.md). */
export function table(results: ScenarioResult[]): string {
  const order = ['overhead', 'stampede', 'bulk', 'scale', 'refresh', 'messages', 'soak'];
  const sorted = [...results].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const rows = [
    ['scenario', 'measure', 'result', 'target', 'status'],
    ['---', '---', '---:', '---:', '---'],
  ];
  for (const r of sorted) {
    for (const m of r.metrics) {
      rows.push([
        r.scenario,
        m.label,
        fmt(m.value, m.unit),
        fmtTarget(m.target, m.unit),
        m.pass === undefined ? '' : m.pass ? 'met' : '**MISSED**',
      ]);
    }
  }
  const lines = rows.map((cols) => `| ${cols.join(' | ')} |`);
  const runs = sorted.map((r) => `${r.scenario} ${r.date.slice(0, 16).replace('T', ' ')} UTC`).join('; ');
  const m = sorted[0]?.machine;
  const footer = m
    ? `\nMachine: ${m.cores} cores (${m.cpuModel}), ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}. Runs: ${runs}.`
    : '';
  return `${lines.join('\n')}${footer}`;
}
