/**
 * npm run bench [-- <scenario>... ] [--profile] [--quick] [--rate=200] [--openids=100000] [--tenants=10000] [--minutes=30] [--table]
 *
 * Starts what each scenario needs (an embedded PostgreSQL, the WeChat simulator and gateway
 * processes built by `npm run build`), runs the scenarios in order, prints one table and writes
 * bench/results/<scenario>.json. Every figure is a ratio against a baseline measured in the same
 * run, because the machine is shared and absolute times drift. Traffic stays on 127.0.0.1.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchEnv } from './lib/env';
import { printProfile, type ProfileWindow, profilesIn, summariseProfile } from './lib/profile';
import { gatewayNodeFlags, ROOT } from './lib/project';
import { machine, readResults, type ScenarioResult, table, writeResult } from './lib/report';
import type { BenchOptions, Scenario } from './lib/scenario';
import { ab } from './scenarios/ab';
import { bulk } from './scenarios/bulk';
import { messages } from './scenarios/messages';
import { overhead } from './scenarios/overhead';
import { refresh } from './scenarios/refresh';
import { scale } from './scenarios/scale';
import { soak } from './scenarios/soak';
import { stampede } from './scenarios/stampede';

/** How many entries each profile list keeps and prints (BENCH_PROFILE_TOP; else 12 kept, fewer printed). */
const PROFILE_TOP = Number(process.env.BENCH_PROFILE_TOP) || undefined;

const SCENARIOS: Scenario[] = [overhead, stampede, bulk, scale, refresh, messages, soak, ab];
/** Run only when named: the soak takes half an hour; ab compares two builds. */
const ON_REQUEST = new Set(['soak', 'ab']);
const DEFAULT_SET = SCENARIOS.filter((s) => !ON_REQUEST.has(s.name)).map((s) => s.name);

function usage(): never {
  process.stderr.write(
    [
      'usage: npm run bench [-- <scenario>...] [--profile] [--quick] [--rate=<calls/s>] [--openids=<n>] [--tenants=<n>] [--minutes=<n>] [--against=<dist>] [--baseline=stack] [--table]',
      `  scenarios: ${SCENARIOS.map((s) => s.name).join(', ')} (default: ${DEFAULT_SET.join(', ')}, in that order; soak and ab only when named)`,
      '  --profile   run the gateways with --cpu-prof and print where their CPU time went',
      '  --quick     fewer rounds, smaller samples (wiring check; results are not comparable)',
      '  --rate      simulator cap for bulk, WeChat calls per second (default 200)',
      '  --openids   openids in the bulk job (default 100000)',
      '  --tenants   refresh: tenants whose tokens the background renewer sweeps (default 10000; 500 with --quick)',
      '  --minutes   soak: minutes of mixed traffic (default 30; 2 with --quick)',
      '  --stream    bulk: submit the job as application/x-ndjson, streamed (default: one JSON body)',
      '  --baseline  overhead: stack holds the gateway against its own stack alone (stack-floor.ts; kept as a .tmp file)',
      '  --against   ab: the other build (its bench/.build/dist), measured against this one in alternating rounds',
      '  --table     only print the table from bench/results/*.json',
      '',
    ].join('\n'),
  );
  process.exit(64);
}

function parseArgs(argv: string[]): { names: string[]; options: BenchOptions; tableOnly: boolean } {
  const options: BenchOptions = { rate: 200, bulkOpenids: 100_000, quick: false, profile: false, stream: false };
  const names: string[] = [];
  let tableOnly = false;
  for (const arg of argv) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      if (!SCENARIOS.some((s) => s.name === arg)) usage();
      names.push(arg);
      continue;
    }
    const int = () => {
      const n = Number(m[2]);
      if (!Number.isInteger(n) || n <= 0) usage();
      return n;
    };
    if (m[1] === 'profile') options.profile = true;
    else if (m[1] === 'quick') options.quick = true;
    else if (m[1] === 'stream') options.stream = true;
    else if (m[1] === 'table') tableOnly = true;
    else if (m[1] === 'rate') options.rate = int();
    else if (m[1] === 'openids') options.bulkOpenids = int();
    else if (m[1] === 'tenants') options.tenants = int();
    else if (m[1] === 'minutes') options.minutes = int();
    else if (m[1] === 'against' && m[2]) options.against = m[2];
    else if (m[1] === 'baseline' && (m[2] === 'proxy' || m[2] === 'stack')) options.baseline = m[2];
    else usage();
  }
  return { names: names.length ? names : DEFAULT_SET, options, tableOnly };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function withTimeout<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} exceeded its ${seconds} s bound`)), seconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const { names, options, tableOnly } = parseArgs(process.argv.slice(2));
  if (tableOnly) {
    log(table(readResults()));
    return;
  }
  const env = new BenchEnv();
  const abort = () => {
    env.killAllNow();
    void env.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  process.once('exit', () => env.killAllNow());

  let failed = false;
  try {
    log(`bench: working directory ${env.dir} (logs in ${env.logDir})`);
    for (const name of names) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const profileDir = options.profile ? join(env.dir, 'profiles', name) : undefined;
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      const windows: ProfileWindow[] = [];
      const startedAt = new Date();
      const m = machine();
      const t0 = Date.now();
      log(`\n== ${scenario.name}: ${scenario.title}`);
      try {
        const outcome = await withTimeout(
          scenario.run({ env, options, profileDir, profileWindow: (a, b) => windows.push([a, b]), log: (l) => log(`  ${l}`) }),
          scenario.timeoutSeconds,
          `scenario ${name}`,
        );
        await env.stopChildren();
        // A bulk leg other than the default (e.g. --openids=1000000 --stream) is kept beside it, not over it.
        const variant =
          name === 'bulk' && (options.bulkOpenids !== 100_000 || options.stream)
            ? `-${options.bulkOpenids}${options.stream ? '-stream' : ''}`
            : name === 'overhead' && options.baseline === 'stack'
              ? '-stack'
              : '';
        // Against the stack alone the targets do not apply: a comparison, kept out of the table.
        const experiment = scenario.experiment || variant === '-stack';
        const result: ScenarioResult = {
          scenario: `${scenario.name}${variant}`,
          title: scenario.title,
          date: startedAt.toISOString(),
          durationSeconds: Math.round((Date.now() - t0) / 100) / 10,
          machine: m,
          ...outcome,
          setup: {
            ...outcome.setup,
            gatewayNodeFlags: gatewayNodeFlags().join(' '),
            ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { gatewayNodeOptions: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
            profiled: options.profile,
          },
          pass: outcome.metrics.every((x) => x.pass !== false),
        };
        if (profileDir) {
          const kept = join(ROOT, 'bench', '.profiles', name);
          mkdirSync(kept, { recursive: true });
          const summaries = profilesIn(profileDir).map((f) => {
            cpSync(f, join(kept, f.split('/').pop()!));
            return summariseProfile(f, windows, PROFILE_TOP);
          });
          for (const s of summaries) printProfile(s, log, PROFILE_TOP);
          result.profile = summaries.map((s) => ({ ...s, file: s.file.split('/').pop() }));
          log(`  profiles kept in ${kept} (open in Chrome DevTools → Performance)`);
        }
        log(
          `  wrote ${writeResult(result, options.quick, experiment)}${options.quick || experiment ? ' (not in the table)' : ''}`,
        );
        log(`\n${table([result])}`);
        if (!result.pass) log('  target missed: see the notes below and the details in the results file');
        for (const n of result.notes) log(`  note: ${n}`);
      } catch (e) {
        failed = true;
        log(`  FAILED: ${(e as Error).stack ?? e}`);
        log(`  logs: ${env.logDir}`);
        await env.stopChildren();
      }
    }
    if (!options.quick) {
      log('\n== latest results (bench/results/*.json)\n');
      log(table(readResults()));
    }
  } finally {
    // A failed run keeps its directory (logs) for inspection.
    await env.close({ keepDir: failed || process.env.BENCH_KEEP_DIR === '1' });
  }
  process.exit(failed ? 1 : 0);
}

void main();
