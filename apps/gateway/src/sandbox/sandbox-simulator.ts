import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import type { GatewayConfig } from '../platform/config/gateway-config';
import type { SandboxIdentity } from '../platform/config/sandbox-identity';

export interface SandboxSimulator {
  url: string;
  /** What a person's browser uses for the authorization pages. */
  publicUrl: string;
  simulator: WeChatSimulator;
  afterGatewayStarted(config: GatewayConfig, app: INestApplication): Promise<void>;
  close(): Promise<void>;
}

/** Sandbox mode: the bundled simulator plays WeChat, with the component identity kept in .data/. */
export async function startSandboxSimulator(
  identity: SandboxIdentity,
  opts: { port: number; eventUrl: string; messageUrl: string; dataDir: string },
): Promise<SandboxSimulator> {
  const simulator = await startWeChatSimulator({
    port: opts.port,
    host: '127.0.0.1',
    componentAppId: identity.component.appId,
    componentAppSecret: identity.component.appSecret,
    componentToken: identity.component.token,
    encodingAESKey: identity.component.encodingAESKey,
    eventUrl: opts.eventUrl,
    // Follower messages and the go-live check go to the gateway's message URL template.
    messageUrl: opts.messageUrl,
    // The gateway is not listening yet; the first ticket is pushed once it is.
    pushTicketOnStart: false,
    publicBaseUrl: `http://localhost:${opts.port}`,
    // Accounts, followers, grants, blacklists and tokens survive a restart, as the gateway's tenants do.
    stateFile: join(opts.dataDir, 'simulator-state.json'),
  });
  return {
    url: simulator.url,
    publicUrl: `http://localhost:${opts.port}`,
    simulator,
    afterGatewayStarted: async () => {
      await simulator.pushTicket().catch(() => undefined);
    },
    close: () => simulator.close(),
  };
}

/** Three followers of the demo account once it is authorized (they exist, so a first blacklist call succeeds). */
export function demoFollowers(simulator: SandboxSimulator, demo: { status: string; appId?: string }): string[] {
  if (demo.status !== 'active' || !demo.appId) return [];
  try {
    return (simulator.simulator.getAuthorizer(demo.appId).followers ?? []).slice(0, 3);
  } catch {
    return []; // an account the simulator does not know (its state file was removed)
  }
}
