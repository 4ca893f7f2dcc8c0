/**
 * The WeChat simulator in a process of its own, so the load generator (in the runner) and the
 * simulator never share an event loop: each would otherwise slow the other and blur the
 * gateway-versus-direct comparison. Options arrive as JSON in BENCH_SIM_OPTIONS (any
 * SimulatorOptions field, including the ones the standalone `npm run sim` does not expose);
 * the URL is printed as one JSON line once listening.
 */
import { join } from 'node:path';
import { DIST } from './project';

interface SimLib {
  startWeChatSimulator(opts: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }>;
}

async function main(): Promise<void> {
  const lib = require(join(DIST, 'libs/wechat-sim/src')) as SimLib;
  const options = JSON.parse(process.env.BENCH_SIM_OPTIONS ?? '{}') as Record<string, unknown>;
  const sim = await lib.startWeChatSimulator({ host: '127.0.0.1', port: 0, pushTicketOnStart: false, ...options });
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The runner dying must not leave a simulator behind.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`bench simulator: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
