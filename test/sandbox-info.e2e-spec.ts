import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { sandboxInfo } from '../apps/gateway/src/sandbox/sandbox-info';
import { startHarness, type Harness } from './support/gateway-harness';
import { authorizeThroughPage, bearer, createTenant, settlePushes, startSession } from './support/onboarding';

describe('npm run sandbox:info and the first blacklist call (simulator over HTTP)', () => {
  let h: Harness;
  let dataDir: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
    dataDir = mkdtempSync(join(tmpdir(), 'wtg-sandbox-info-'));
    writeFileSync(join(dataDir, 'sandbox.json'), JSON.stringify({ operatorApiKey: h.operatorKey }));
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await h.close();
  });

  const info = () => sandboxInfo({ dataDir, gatewayUrl: h.url, publicBaseUrl: h.config.publicBaseUrl, simulatorUrl: h.sim.url });

  it('explains what is missing: no sandbox.json, nothing listening, no demo tenant', async () => {
    await expect(
      sandboxInfo({ dataDir: join(dataDir, 'nope'), gatewayUrl: h.url, publicBaseUrl: '', simulatorUrl: '' }),
    ).rejects.toThrow(/sandbox\.json is missing/);
    await expect(
      sandboxInfo({ dataDir, gatewayUrl: 'http://127.0.0.1:9', publicBaseUrl: '', simulatorUrl: h.sim.url }),
    ).rejects.toThrow(/is the sandbox running/);
    await expect(info()).rejects.toThrow(/"Sandbox demo" tenant does not exist/);
  });

  it('before authorization: a fresh onboarding link and the command; after: three followers whose blacklist call succeeds', async () => {
    const demo = await createTenant(h, 'Sandbox demo', 'sandbox-demo');
    const before = await info();
    expect(before).toContain(`Operator API key:  ${h.operatorKey}`);
    expect(before).toMatch(/Onboarding link: +http:\/\/\S+\/onboarding\/\S+/);
    expect(before).toContain('npm run sandbox:info');
    expect(before).not.toContain('First blacklist call');

    const s = await startSession(h, demo.id);
    const cb = await authorizeThroughPage(h, s.onboardingUrl, { permissionSets: [1, 2, 15], push: 'before' });
    await settlePushes(h);
    h.sim.updateAuthorizer(cb.appId, { addFollowerCount: 100 });

    const after = await info();
    expect(after).toContain(`Demo account:      ${cb.appId} (tenant active)`);
    const followers = /-d '\{"openids":(\[[^\]]*\])\}'/.exec(after)?.[1];
    const openids = JSON.parse(followers!) as string[];
    expect(openids).toHaveLength(3);
    expect(openids).toEqual(h.sim.getAuthorizer(cb.appId).followers!.slice(0, 3));

    // README's "first blacklist call", as printed.
    const block = await request(h.url)
      .post(`/v1/tenants/${demo.id}/blacklist/block`)
      .set(bearer(h.operatorKey))
      .send({ openids })
      .expect(200);
    expect(block.body).toEqual({ action: 'block', total: 3, succeeded: openids, invalid: [], failed: [] });
    const list = await request(h.url).get(`/v1/tenants/${demo.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
    expect(JSON.stringify(list.body)).toContain(openids[0]);
    for (const o of openids) expect(JSON.stringify(list.body)).toContain(o);
  });
});
