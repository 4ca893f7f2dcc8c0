import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, randomComponent } from './gateway-harness';
import { onboardTenant, type OnboardedTenant } from './onboarding';
import { createTestDatabase } from './test-database';

/**
 * What a spawned gateway needs for production mode beyond its database, keys and port: one
 * component, every URL at one simulator, and the metrics token production requires.
 */
export function wechatEnvFor(component: ReturnType<typeof randomComponent>, simUrl: string): Record<string, string> {
  return {
    METRICS_TOKEN: PRODUCTION_METRICS_TOKEN,
    WECHAT_COMPONENT_APPID: component.componentAppId,
    WECHAT_COMPONENT_APPSECRET: component.componentAppSecret,
    WECHAT_COMPONENT_TOKEN: component.componentToken,
    WECHAT_COMPONENT_ENCODING_AES_KEY: component.encodingAESKey,
    WECHAT_API_BASE_URL: simUrl,
    WECHAT_MP_BASE_URL: simUrl,
    WECHAT_OPEN_BASE_URL: simUrl,
  };
}

/** Production mode starts only with /metrics protected (METRICS_TOKEN or METRICS_PORT). */
export const PRODUCTION_METRICS_TOKEN = 'metrics-token-of-spawned-gateways';

/** The built gateway every spawning test runs (`npm test` builds it first). */
export const BUILT_GATEWAY = join(__dirname, '..', '..', 'dist', 'apps', 'gateway', 'src', 'main.js');

export interface SpawnedGateway {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/**
 * The built gateway as a separate process a test can kill -9, with exactly `env` (plus PATH);
 * resolves once `/health/ready` answers at `url`.
 */
export async function spawnGateway(env: Record<string, string>, url: string): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [BUILT_GATEWAY], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited during start-up:\n${output.join('')}`);
    const ready = await fetch(`${url}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { child, output, exited };
    if (Date.now() > until) throw new Error(`gateway did not become ready:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One built gateway on a fresh database with the simulator, onboarded tenants, and kill -9 / restart. */
export interface KillableGateway {
  sim: WeChatSimulator;
  url: string;
  /** What the shared onboarding helpers need (url, sim, operator key, database). */
  h: Harness;
  tenants: OnboardedTenant[];
  current(): SpawnedGateway;
  /** kill -9, then wait for the process to be gone. */
  kill(): Promise<void>;
  /** Starts the gateway again with the same environment (same port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The setting of the kill -9 acceptance tests: a simulator with `simOptions` (the component
 * identity is random), one spawned production-mode gateway with `extraEnv`, the ticket pushed,
 * and `tenants` tenants onboarded through the real flow.
 */
export async function startKillableGateway(opts: {
  simOptions: Omit<Parameters<typeof startWeChatSimulator>[0], keyof ReturnType<typeof randomComponent> | 'port'>;
  extraEnv?: Record<string, string>;
  tenants: number;
}): Promise<KillableGateway> {
  if (!existsSync(BUILT_GATEWAY)) throw new Error(`${BUILT_GATEWAY} is missing: run "npm run build" first (npm test does)`);
  const component = randomComponent();
  const sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false, ...opts.simOptions });
  const databaseUrl = await createTestDatabase();
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const operatorKey = `op_kill_${randomBytes(16).toString('hex')}`;
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_BASE_URL: url,
    OPERATOR_API_KEYS: operatorKey,
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...wechatEnvFor(component, sim.url),
    LOG_LEVEL: 'warn',
    ...opts.extraEnv,
  };
  let gateway = await spawnGateway(env, url);
  sim.setEventUrl(`${url}/wechat/component/events`);
  await sim.pushTicket();
  const h = { url, sim, operatorKey, databaseUrl } as unknown as Harness;
  const tenants: OnboardedTenant[] = [];
  for (let i = 0; i < opts.tenants; i++) tenants.push(await onboardTenant(h));
  const kill = async () => {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await gateway.exited;
  };
  return {
    sim,
    url,
    h,
    tenants,
    current: () => gateway,
    kill,
    restart: async () => {
      gateway = await spawnGateway(env, url);
    },
    close: async () => {
      await kill();
      await sim.close();
    },
  };
}
