import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { SecretCipher, secretKeyId } from '@app/common';
import { runSecretsReseal } from '../apps/gateway/src/secrets-reseal';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, callsTo, onboardTenant, sql } from './support/onboarding';

const BUILT_RESEAL = join(__dirname, '..', 'dist', 'apps', 'gateway', 'src', 'secrets-reseal.js');

const SEALED = [
  ['authorizers', 'access_token'],
  ['authorizers', 'refresh_token'],
  ['component_state', 'ticket'],
  ['component_state', 'access_token'],
  ['webhook_endpoints', 'secret'],
  ['pre_auth_codes', 'code_sealed'],
  ['jssdk_tickets', 'ticket'],
] as const;

async function keyIdsAtRest(h: Harness): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const [table, column] of SEALED) {
    for (const r of await sql<{ v: string }>(h, `SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`)) {
      ids.add(r.v.split('.')[1]);
    }
  }
  return ids;
}

describe('secrets key rotation completes: npm run secrets:reseal', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let before: Harness;
  let h: Harness;
  afterAll(async () => {
    await h?.app.close();
    await before?.close();
  });

  it('re-seals every sealed column under the current key while an instance serves; the status counts what is left', async () => {
    before = await startHarness({ config: (c) => ({ ...c, secretsKey: oldKey }) });
    const t = await onboardTenant(before, { permissionSets: [2, 4] });
    const jsapi = await request(before.url).get(`/v1/tenants/${t.id}/tickets/jsapi`).set(bearer(before.operatorKey)).expect(200);
    const endpoint = await request(before.url)
      .post('/v1/webhook-endpoints')
      .set(bearer(before.operatorKey))
      .send({ url: 'http://127.0.0.1:9/hook' })
      .expect(201);
    await before.app.close();

    // The rotation: the new key is current, the old one still accepted.
    h = await startHarness({
      simulator: before.sim,
      databaseUrl: before.databaseUrl,
      config: (c) => ({ ...c, secretsKey: newKey, previousSecretsKey: oldKey }),
    });
    const status = async () =>
      (await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200)).body.secrets;
    const s0 = await status();
    expect(s0.currentKeyId).toBe(secretKeyId(newKey));
    expect(s0.rowsUnderPreviousKey).toBeGreaterThanOrEqual(3);
    expect(s0.byTable).toEqual(
      expect.objectContaining({ authorizers: 1, component_state: 1, webhook_endpoints: 1, jssdk_tickets: 1 }),
    );

    // Serving meanwhile: refreshes rewrite the tenant's tokens while the reseal walks the rows.
    let serving = true;
    const traffic = (async () => {
      let n = 0;
      while (serving) {
        await sql(h, `UPDATE authorizers SET access_token_expires_at = now() WHERE tenant_id = $1`, [t.id]);
        await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
        n++;
      }
      return n;
    })();
    const report = await runSecretsReseal({ databaseUrl: h.databaseUrl, secretsKey: newKey, previousSecretsKey: oldKey });
    serving = false;
    expect(await traffic).toBeGreaterThan(0);
    expect(Object.values(report).every((r) => r.unreadable === 0)).toBe(true);
    expect(report.webhook_endpoints.resealed).toBe(1);
    expect(report.jssdk_tickets.resealed).toBe(1);
    expect(report.component_state.resealed).toBeGreaterThanOrEqual(1);

    expect(await status()).toEqual(expect.objectContaining({ rowsUnderPreviousKey: 0 }));
    expect([...(await keyIdsAtRest(h))]).toEqual([secretKeyId(newKey)]);
    const [ep] = await sql<{ secret: string }>(h, `SELECT secret FROM webhook_endpoints WHERE id = $1`, [endpoint.body.id]);
    expect(
      new SecretCipher(newKey).decrypt(ep.secret, { table: 'webhook_endpoints', column: 'secret', row: endpoint.body.id }),
    ).toBe(endpoint.body.secret);
    const [ticket] = await sql<{ ticket: string }>(h, `SELECT ticket FROM jssdk_tickets WHERE tenant_id = $1`, [t.id]);
    expect(
      new SecretCipher(newKey).decrypt(ticket.ticket, { table: 'jssdk_tickets', column: 'ticket', row: `${t.id}:jsapi` }),
    ).toBe(jsapi.body.ticket);

    // The previous key can go: an instance with the new key alone refreshes without any recovery.
    await h.app.close();
    h = await startHarness({
      simulator: before.sim,
      databaseUrl: before.databaseUrl,
      config: (c) => ({ ...c, secretsKey: newKey }),
    });
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() WHERE tenant_id = $1`, [t.id]);
    const since = h.sim.calls().at(-1)!.seq;
    await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
    expect(callsTo(h, 'api_authorizer_token', since).map((c) => c.errcode)).toEqual([0]);
    expect(callsTo(h, 'api_get_authorizer_list', since)).toEqual([]);
  });

  it('the built script (npm run secrets:reseal) reports per table and exits 0; a second pass finds nothing', async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BUILT_RESEAL], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: h.databaseUrl,
          SECRETS_ENCRYPTION_KEY: newKey.toString('base64'),
          SECRETS_PREVIOUS_ENCRYPTION_KEY: oldKey.toString('base64'),
        },
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('exit', (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(report).sort()).toEqual([
      'authorizers',
      'component_state',
      'jssdk_tickets',
      'pre_auth_codes',
      'webhook_endpoints',
    ]);
    expect(Object.values(report).every((r) => (r as { resealed: number }).resealed === 0)).toBe(true);
  });
});
