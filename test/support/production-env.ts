import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { randomComponent } from './gateway-harness';

/** The WeChat half of a production-mode environment for a spawned gateway: one component, every URL at one simulator. */
export function wechatEnvFor(component: ReturnType<typeof randomComponent>, simUrl: string): Record<string, string> {
  return {
    WECHAT_COMPONENT_APPID: component.componentAppId,
    WECHAT_COMPONENT_APPSECRET: component.componentAppSecret,
    WECHAT_COMPONENT_TOKEN: component.componentToken,
    WECHAT_COMPONENT_ENCODING_AES_KEY: component.encodingAESKey,
    WECHAT_API_BASE_URL: simUrl,
    WECHAT_MP_BASE_URL: simUrl,
    WECHAT_OPEN_BASE_URL: simUrl,
  };
}

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
