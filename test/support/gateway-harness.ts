import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { startWeChatSimulator, type SimulatorOptions, type WeChatSimulator } from '@app/wechat-sim';
import { createGatewayApp } from '../../apps/gateway/src/app.factory';
import type { GatewayConfig } from '../../apps/gateway/src/platform/config/gateway-config';
import { findFreePort } from '@app/database';
import { LogCapture } from './log-capture';
import { createTestDatabase } from './test-database';

export { LogCapture };

export interface Harness {
  app: INestApplication;
  /** Base URL of the gateway over real HTTP. */
  url: string;
  sim: WeChatSimulator;
  config: GatewayConfig;
  operatorKey: string;
  logs: LogCapture;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: Partial<SimulatorOptions>;
  config?: (c: GatewayConfig) => GatewayConfig;
  /** Reuse a database (several gateways on one database); a fresh one otherwise. */
  databaseUrl?: string;
  /** Reuse a simulator (several gateways, one WeChat). */
  simulator?: WeChatSimulator;
}

export function randomComponent() {
  return {
    componentAppId: `wxcomp${randomBytes(5).toString('hex')}`,
    componentAppSecret: randomBytes(16).toString('hex'),
    componentToken: `tok${randomBytes(6).toString('hex')}`,
    encodingAESKey: randomBytes(32).toString('base64').replace(/[+/]/g, 'A').slice(0, 43),
  };
}

/**
 * A real gateway (the same factory main.ts uses) on a random port, against a real
 * PostgreSQL database of its own and the WeChat simulator over real HTTP.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase());
  const component = randomComponent();
  const sim = opts.simulator ?? (await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false, ...opts.sim }));
  const operatorKey = `op_test_${randomBytes(16).toString('hex')}`;
  const logs = new LogCapture();
  // The configuration is frozen at boot, so the port (and the public URL that links and
  // redirect_uri use) is chosen before the app is built; taken meanwhile, the app is built again.
  const secretsKey = randomBytes(32);
  const base = (port: number): GatewayConfig => ({
    mode: 'sandbox',
    port,
    publicBaseUrl: `http://127.0.0.1:${port}`,
    databaseUrl,
    migrationsRun: true,
    operatorApiKeys: [operatorKey],
    secretsKey,
    wechat: {
      componentAppId: sim.options.componentAppId,
      componentAppSecret: sim.options.componentAppSecret,
      componentToken: sim.options.componentToken,
      encodingAESKey: sim.options.encodingAESKey,
      apiBaseUrl: sim.url,
      mpBaseUrl: sim.url,
      openBaseUrl: sim.url,
    },
    logLevel: 'info',
    blacklist: { concurrencyPerTenant: 4, callsPerSecondPerTenant: 1000 },
  });
  let config: GatewayConfig;
  let app: INestApplication;
  for (let attempt = 1; ; attempt++) {
    config = base(await findFreePort());
    if (opts.config) config = opts.config(config);
    app = await createGatewayApp(config, { logDestination: logs });
    try {
      await app.listen(config.port, '127.0.0.1');
      break;
    } catch (e) {
      await app.close();
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw e;
    }
  }
  const url = `http://127.0.0.1:${config.port}`;
  if (!opts.simulator) {
    sim.setEventUrl(`${url}/wechat/component/events`);
    sim.setMessageUrl(`${url}/wechat/authorizers/$APPID$/events`);
  }
  return {
    app,
    url,
    sim,
    config,
    operatorKey,
    logs,
    databaseUrl,
    close: async () => {
      await app.close();
      if (!opts.simulator) await sim.close();
    },
  };
}
