import type { BenchEnv } from './env';
import type { Metric } from './report';

export interface BenchOptions {
  /** Simulator cap for the bulk scenario, WeChat calls per second. */
  rate: number;
  /** Openids in the bulk job. */
  bulkOpenids: number;
  /** bulk: submit the job as a stream (application/x-ndjson) instead of one JSON body. */
  stream: boolean;
  /** Fewer rounds and smaller samples: checks the wiring in a fraction of the time (not for the results table). */
  quick: boolean;
  /** refresh: tenants whose tokens the background renewer sweeps (default 10,000; 500 with --quick). */
  tenants?: number;
  /** soak: minutes of mixed traffic (default 30; 2 with --quick). */
  minutes?: number;
  /** Gateways run with --cpu-prof; the runner prints where their CPU time went. */
  profile: boolean;
  /**
   * overhead: what the gateway is held against. `proxy` (default): the minimal proxy; `stack`: the same
   * answers through the gateway's own stack and nothing of its own (stack-floor.ts), an experiment.
   */
  baseline?: 'proxy' | 'stack';
  /** ab: the other build's output directory (what `nest build gateway -p bench/tsconfig.gateway.json` writes). */
  against?: string;
}

export interface ScenarioContext {
  env: BenchEnv;
  options: BenchOptions;
  /** Set with --profile: pass as cpuProfileDir to the gateways worth profiling. */
  profileDir?: string;
  /** Marks a measured phase (monotonicMicros() before and after): profiles are summarised over these. */
  profileWindow(start: number, end: number): void;
  log(line: string): void;
}

export interface ScenarioOutcome {
  setup: Record<string, unknown>;
  metrics: Metric[];
  details: Record<string, unknown>;
  notes: string[];
}

export interface Scenario {
  name: string;
  title: string;
  /** Wall-clock bound: the runner stops the scenario (and everything it started) after this. */
  timeoutSeconds: number;
  /** A comparison, not a measure of this build: its result is kept as a .tmp file, never in the table. */
  experiment?: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
