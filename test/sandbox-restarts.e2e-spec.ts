import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const RESTARTS = 25;

/**
 * A sandbox start never fails because of its own earlier starts: 25 starts and Ctrl-Cs on one
 * .data/ (more than the 20 open sessions a tenant may hold) all come up and show the same link.
 */
describe('sandbox: 25 restarts on one .data/', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-restarts-'));
  const children: SandboxProcess[] = [];
  let ports: SandboxPorts;
  beforeAll(async () => {
    ports = await freeSandboxPorts();
  });
  afterAll(async () => {
    await killLeftovers(children, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const linkOf = (out: string) => /Onboarding link: +(\S+)/.exec(out)?.[1];
  const api = async (path: string, init: RequestInit = {}) => {
    const key = (JSON.parse(readFileSync(join(dataDir, 'sandbox.json'), 'utf8')) as { operatorApiKey: string }).operatorApiKey;
    return fetch(`http://127.0.0.1:${ports.port}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    });
  };

  it(
    `starts and stops ${RESTARTS} times; the banner reuses one session; a demo tenant at the cap does not stop a start`,
    async () => {
      const links = new Set<string>();
      for (let i = 0; i < RESTARTS; i++) {
        const p = startSandbox(dataDir, ports);
        children.push(p);
        await waitForOutput(p, bannerDone, 60_000);
        const link = linkOf(p.output())!;
        links.add(link);
        const tenantId = /Demo tenant: +(\S+)/.exec(p.output())?.[1];
        const open = (await (await api(`/v1/tenants/${tenantId}/authorization-sessions?status=open`)).json()) as {
          items: { id: string }[];
        };
        if (i === 2) {
          // The demo tenant at the cap with its saved link closed (sessions opened through the API).
          expect(open.items).toHaveLength(1);
          expect(
            (await api(`/v1/tenants/${tenantId}/authorization-sessions/${open.items[0].id}`, { method: 'DELETE' })).status,
          ).toBe(204);
          for (let n = 0; n < 20; n++)
            expect((await api(`/v1/tenants/${tenantId}/authorization-sessions`, { method: 'POST', body: '{}' })).status).toBe(
              201,
            );
          expect((await api(`/v1/tenants/${tenantId}/authorization-sessions`, { method: 'POST', body: '{}' })).status).toBe(409);
        } else {
          // Before: the one session every start shows. After: 19 of the API's and the one a start opened.
          expect(open.items).toHaveLength(i < 2 ? 1 : 20);
        }
        expect(await ctrlC(p)).toBe(0);
      }
      // One link before the cap was reached through the API, one after.
      expect(links.size).toBe(2);
    },
    RESTARTS * 30_000,
  );
});
