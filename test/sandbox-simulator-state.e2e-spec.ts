import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkHref } from './support/onboarding';
import {
  bannerDone,
  ctrlC,
  freeSandboxPorts,
  killLeftovers,
  startSandbox,
  type SandboxPorts,
  type SandboxProcess,
  waitForOutput,
} from './support/sandbox-process';

/**
 * The sandbox's simulator keeps its state in .data/: after a restart the authorized demo account,
 * its followers, its blacklist and the tokens the gateway holds still work (no 502, no 40013).
 */
describe('sandbox: the simulator remembers across restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-sim-state-'));
  const children: SandboxProcess[] = [];
  let ports: SandboxPorts;
  beforeAll(async () => {
    ports = await freeSandboxPorts();
  });
  afterAll(async () => {
    await killLeftovers(children, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const gateway = (path: string, init: RequestInit = {}) => {
    const key = (JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as { operatorApiKey: string }).operatorApiKey;
    return fetch(`http://127.0.0.1:${ports.port}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    });
  };
  const sim = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${ports.simPort}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });

  async function start(): Promise<SandboxProcess> {
    const p = startSandbox(dataDir, ports);
    children.push(p);
    await waitForOutput(p, bannerDone, 60_000);
    return p;
  }

  it('an account authorized before a restart keeps working after it', async () => {
    const first = await start();
    const tenantId = /Demo tenant: +(\S+)/.exec(first.output())![1];
    const link = /Onboarding link: +(\S+)/.exec(first.output())![1].replace('localhost', '127.0.0.1');
    const next = await (
      await sim('/__sim/next-authorization', {
        method: 'POST',
        body: JSON.stringify({ push: 'before', permissionSets: [1, 2, 15], followerCount: 10 }),
      })
    ).json();
    const page = await (await fetch(link)).text();
    const atWeChat = await fetch(linkHref(page, 'authorize-pc'), { redirect: 'manual' });
    const callback = await fetch(atWeChat.headers.get('location')!.replace('localhost', '127.0.0.1'));
    expect(callback.status).toBe(200);
    const tenant = await (await gateway(`/v1/tenants/${tenantId}`)).json();
    expect(tenant.status).toBe('active');
    const account = await (await sim(`/__sim/authorizers/${next.appId}`)).json();
    const followers = account.followers as string[];
    expect(followers.length).toBeGreaterThanOrEqual(6);
    const block = (openids: string[]) =>
      gateway(`/v1/tenants/${tenantId}/blacklist/block`, { method: 'POST', body: JSON.stringify({ openids }) });
    expect((await block(followers.slice(0, 3))).status).toBe(200);
    expect(await ctrlC(first)).toBe(0);

    const second = await start();
    // The banner finds the demo account's followers in the restored simulator.
    expect(second.output()).toContain(`Demo account:      ${next.appId} (tenant active)`);
    const again = await block(followers.slice(3, 6));
    expect(again.status).toBe(200);
    expect((await again.json()).succeeded).toEqual(followers.slice(3, 6));
    const list = await (await gateway(`/v1/tenants/${tenantId}/blacklist`)).json();
    for (const o of followers.slice(0, 6)) expect(JSON.stringify(list)).toContain(o);
    expect(await ctrlC(second)).toBe(0);
  });
});
