import { SecretCipher } from '@app/common';
import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Harness } from './support/gateway-harness';
import { randomComponent } from './support/gateway-harness';
import { createTestDatabase } from './support/test-database';
import { bearer, onboardTenant, sql, tenantView } from './support/onboarding';
import { BUILT_GATEWAY, wechatEnvFor } from './support/production-env';
import { tokensAtRest } from './support/sealed-tokens';

const MAIN = BUILT_GATEWAY;
const PROCESSES = 3;

interface Gateway {
  url: string;
  child: ChildProcess;
  output: string[];
}

/**
 * Three built gateways (`node dist/.../main.js`, production mode) on one database, every
 * WeChat URL pointing at one in-test simulator with the same component identity.
 */
describe('authorizer token refresh across 3 gateway processes on one database', () => {
  let sim: WeChatSimulator;
  let databaseUrl: string;
  let dataDir: string;
  const operatorKey = `op_mp_${randomBytes(16).toString('hex')}`;
  const secretsKey = randomBytes(32);
  const gateways: Gateway[] = [];
  let h: Harness;

  async function startGateway(env: Record<string, string>): Promise<Gateway> {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), PUBLIC_BASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    const until = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${output.join('')}`);
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { url, child, output };
      if (Date.now() > until) throw new Error(`gateway not ready: ${output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first`);
    databaseUrl = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'wtg-mp-'));
    const component = randomComponent();
    sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    const env = {
      DATABASE_URL: databaseUrl,
      GATEWAY_DATA_DIR: dataDir,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: secretsKey.toString('base64'),
      ...wechatEnvFor(component, sim.url),
      LOG_LEVEL: 'info',
    };
    gateways.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => startGateway(env)))));
    sim.setEventUrl(`${gateways[0].url}/wechat/component/events`);
    await sim.pushTicket();
    // What the shared helpers need to drive onboarding through the first process.
    h = {
      url: gateways[0].url,
      sim,
      operatorKey,
      databaseUrl,
      config: {
        publicBaseUrl: gateways[0].url,
        wechat: { ...component, apiBaseUrl: sim.url, mpBaseUrl: sim.url, openBaseUrl: sim.url },
      },
    } as unknown as Harness;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      gateways.map(
        (g) =>
          new Promise<void>((resolve) => {
            if (g.child.exitCode !== null) return resolve();
            g.child.once('exit', () => resolve());
            g.child.kill('SIGTERM');
          }),
      ),
    );
    await sim?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Concurrent calls that need the authorizer token, spread over every process. */
  async function fireAcrossProcesses(tenantId: string, perProcess: number) {
    const calls = gateways.flatMap((g) =>
      Array.from({ length: perProcess }, () => request(g.url).get(`/v1/tenants/${tenantId}/blacklist`).set(bearer(operatorKey))),
    );
    return Promise.all(calls);
  }

  it('a token WeChat expired early: concurrent calls on 3 processes cause exactly one api_authorizer_token', async () => {
    const t = await onboardTenant(h, { push: 'before' });
    expect((await tenantView(h, t.id)).status).toBe('active');
    const since = sim.calls().at(-1)?.seq ?? 0;
    expect(sim.expireTokens({ kind: 'authorizer', appId: t.appId })).toBeGreaterThan(0);

    const replies = await fireAcrossProcesses(t.id, 8);
    expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
    expect(sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since })).toHaveLength(1);
    // Every process got through, each after at most one 42001 of its own.
    expect(sim.calls({ api: 'tags/members/getblacklist', appId: t.appId, since }).filter((c) => c.errcode === 0)).toHaveLength(
      replies.length,
    );
  });

  it('every token expired at once (component too), 5 tenants: exactly one api_authorizer_token per tenant, at most one api_component_token', async () => {
    const tenants = [];
    for (let i = 0; i < 5; i++) tenants.push(await onboardTenant(h, { push: 'before' }));
    // The early renewal is allowed once per 10 minutes; an earlier test here may have used it.
    await sql(h, `UPDATE component_state SET token_early_renewed_at = NULL`);
    const since = sim.calls().at(-1)?.seq ?? 0;
    expect(sim.expireTokens({ kind: 'all' })).toBeGreaterThan(5);

    const replies = await Promise.all(tenants.map((t) => fireAcrossProcesses(t.id, 4)));
    expect(replies.flat().map((r) => r.status)).toEqual(Array(replies.flat().length).fill(200));
    for (const t of tenants) {
      // The first rejected authorizer token makes one instance renew the component token before
      // any refresh goes out (the others wait on its lock), so no refresh is sent with the dead one.
      const calls = sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since });
      expect(calls.map((c) => c.errcode)).toEqual([0]);
    }
    expect(sim.calls({ api: 'component/api_component_token', since }).map((c) => c.errcode)).toEqual([0]);
  });

  it('the early renewal of the component token happens at most once per 10 minutes', async () => {
    const t = await onboardTenant(h, { push: 'before' });
    await sql(h, `UPDATE component_state SET token_early_renewed_at = now()`);
    const since = sim.calls().at(-1)?.seq ?? 0;
    expect(sim.expireTokens({ kind: 'authorizer', appId: t.appId })).toBeGreaterThan(0);
    const replies = await fireAcrossProcesses(t.id, 4);
    expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
    expect(sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since })).toHaveLength(1);
    expect(sim.calls({ api: 'component/api_component_token', since })).toHaveLength(0);
  });

  it('a token with under 10 minutes left: refreshed once before use, across all processes', async () => {
    const t = await onboardTenant(h, { push: 'after' });
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() + interval '5 minutes' WHERE tenant_id = $1`, [t.id]);
    const since = sim.calls().at(-1)?.seq ?? 0;
    const replies = await fireAcrossProcesses(t.id, 8);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since })).toHaveLength(1);
    // Nobody used the old token once the refresh was due: no WeChat call failed.
    expect(sim.calls({ appId: t.appId, since }).every((c) => c.errcode === 0)).toBe(true);
    const [row] = await sql<{ access_token_expires_at: Date }>(
      h,
      `SELECT access_token_expires_at FROM authorizers WHERE tenant_id = $1`,
      [t.id],
    );
    expect(row.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
  });

  it('61023 on refresh marks the tenant reauthorization_required once, and no process tries again', async () => {
    const t = await onboardTenant(h, { push: 'before' });
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() + interval '1 minute' WHERE tenant_id = $1`, [t.id]);
    sim.addFault({ api: 'component/api_authorizer_token', type: 'errcode', errcode: 61023, appId: t.appId });
    const since = sim.calls().at(-1)?.seq ?? 0;
    const replies = await fireAcrossProcesses(t.id, 4);
    for (const r of replies) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('TENANT_NOT_ACTIVE');
    }
    expect(sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since })).toHaveLength(1);
    const view = await tenantView(h, t.id);
    expect(view.status).toBe('reauthorization_required');
    expect(view.capabilities).toEqual({ blacklist: false });
    await fireAcrossProcesses(t.id, 1);
    expect(sim.calls({ api: 'component/api_authorizer_token', appId: t.appId, since })).toHaveLength(1);
    sim.clearFaults();
  });

  it('no token value ever reaches the processes’ logs', async () => {
    const cipher = new SecretCipher(secretsKey);
    const secrets = await tokensAtRest(h, cipher);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const logs = gateways.map((g) => g.output.join('')).join('\n');
    expect(logs).toContain('authorizer token refreshed');
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toContain(h.config.wechat.componentAppSecret);
    expect(logs).not.toMatch(/queryauthcode@@@|preauthcode@@@|refreshtoken@@@|ticket@@@/);
  });
});
