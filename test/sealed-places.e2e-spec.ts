import { createCipheriv, randomBytes } from 'node:crypto';
import request from 'supertest';
import { SecretCipher, secretKeyId } from '@app/common';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, onboardTenant, sql } from './support/onboarding';

/** A value sealed as before places were bound: AAD `v1.<keyId>` only. */
function sealUnbound(key: Buffer, plaintext: string): string {
  const id = secretKeyId(key);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(`v1.${id}`));
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return ['v1', id, iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Sealed values are bound to their table, column and row: moved elsewhere in the database, they do not open. */
describe('sealed secrets bound to where they live', () => {
  const key = randomBytes(32);
  let h: Harness;
  afterAll(() => h?.close());

  it("two tenants' tokens swapped in the database are not handed out as each other's", async () => {
    h = await startHarness({ config: (c) => ({ ...c, secretsKey: key }) });
    const a = await onboardTenant(h);
    const b = await onboardTenant(h);
    const tokenOf = async (id: string) =>
      (await request(h.url).get(`/v1/tenants/${id}/authorizer-token`).set(bearer(h.operatorKey)).expect(200)).body
        .accessToken as string;
    const bToken = await tokenOf(b.id);
    await tokenOf(a.id);
    // Someone with write access to the database gives A's row B's sealed tokens.
    await sql(
      h,
      `UPDATE authorizers x SET access_token = y.access_token, refresh_token = y.refresh_token
         FROM authorizers y WHERE x.tenant_id = $1 AND y.tenant_id = $2`,
      [a.id, b.id],
    );
    expect(await tokenOf(a.id)).not.toBe(bToken);
  });

  it('values sealed before the binding are bound at the next start (the migration step), then read as before', async () => {
    const [ep] = await sql<{ id: string }>(
      h,
      `INSERT INTO webhook_endpoints (url, types, secret) VALUES ('http://127.0.0.1:9/hook', '{}', $1) RETURNING id`,
      [sealUnbound(key, 'whsec_legacy')],
    );
    await h.close();
    h = await startHarness({ databaseUrl: h.databaseUrl, simulator: h.sim, config: (c) => ({ ...c, secretsKey: key }) });
    const [row] = await sql<{ secret: string }>(h, `SELECT secret FROM webhook_endpoints WHERE id = $1`, [ep.id]);
    expect(row.secret.startsWith(`v2.${secretKeyId(key)}.`)).toBe(true);
    expect(new SecretCipher(key).decrypt(row.secret, { table: 'webhook_endpoints', column: 'secret', row: ep.id })).toBe(
      'whsec_legacy',
    );
    const status = (await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200)).body.secrets;
    expect(status.rowsUnderPreviousKey).toBe(0);
    // Rotating its secret keeps the old one signing, sealed again for its own column.
    await request(h.url).post(`/v1/webhook-endpoints/${ep.id}/secret`).set(bearer(h.operatorKey)).expect(201);
  });
});
