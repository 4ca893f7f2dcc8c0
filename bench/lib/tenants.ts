import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Gateway, Simulator } from './env';
import { expectStatus, request, waitFor } from './http';
import { common } from './project';

export interface OnboardedTenant {
  id: string;
  apiKey: string;
  appId: string;
}

export interface OnboardOptions {
  name: string;
  appId: string;
  followerCount: number;
}

function decodeHtml(s: string): string {
  const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] !== '#') return named[e.toLowerCase()] ?? whole;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/**
 * Onboards one tenant the way a merchant does, over HTTP end to end: the operator creates the
 * tenant and an authorization session; the simulator is told which account the next visitor of
 * its authorization page picks (no human); we open the onboarding page, follow its
 * `#authorize-pc` link to the simulator, which redirects to the gateway's callback, which
 * exchanges the auth code. The tenant must come out `active` with blacklist management.
 */
export async function onboardTenant(
  gw: Gateway,
  sim: Simulator,
  operatorKey: string,
  o: OnboardOptions,
): Promise<OnboardedTenant> {
  const created = await expectStatus<{ id: string; apiKey: string }>(201, 'POST', `${gw.url}/v1/tenants`, {
    key: operatorKey,
    body: { name: o.name, externalId: o.appId },
  });
  const { id, apiKey } = created.json;
  const session = await expectStatus<{ onboardingUrl: string }>(
    201,
    'POST',
    `${gw.url}/v1/tenants/${id}/authorization-sessions`,
    {
      key: apiKey,
      body: {},
    },
  );
  await sim.control('POST', '/next-authorization', {
    appId: o.appId,
    nickName: o.name.slice(0, 64),
    principalName: `${o.name} Ltd`.slice(0, 128),
    serviceType: 2,
    verified: true,
    permissionSets: [1, 2, 15],
    followerCount: o.followerCount,
  });
  const page = await expectStatus(200, 'GET', session.json.onboardingUrl);
  const m =
    /<a\b[^>]*\bid="authorize-pc"[^>]*\bhref="([^"]+)"/.exec(page.text) ??
    /<a\b[^>]*\bhref="([^"]+)"[^>]*\bid="authorize-pc"/.exec(page.text);
  if (!m) throw new Error(`onboarding page of tenant ${id} has no #authorize-pc link`);
  const toWeChat = await request('GET', decodeHtml(m[1]), { manual: true });
  const callback = toWeChat.headers.get('location');
  if (toWeChat.status !== 302 || !callback) {
    const why = /id="sim-error-message"[^>]*>([\s\S]*?)</.exec(toWeChat.text)?.[1] ?? toWeChat.text.slice(0, 300);
    throw new Error(`simulator authorization page answered ${toWeChat.status}: ${why.trim()}`);
  }
  const landed = await request('GET', callback, { manual: true });
  if (landed.status !== 200) throw new Error(`callback answered ${landed.status}: ${landed.text.slice(0, 300)}`);
  // The account info is stored after the grant, and an instance's copy of the tenant may be up to
  // 1 s old (or until the change notice arrives): a read right after the callback can predate it.
  let last: unknown;
  await waitFor(
    `tenant ${id} to be active with blacklist management after onboarding`,
    async () => {
      const tenant = await expectStatus<{ status: string; capabilities: { blacklist: boolean } }>(
        200,
        'GET',
        `${gw.url}/v1/tenants/${id}`,
        { key: apiKey },
      );
      last = tenant.json;
      return tenant.json.status === 'active' && tenant.json.capabilities.blacklist ? true : undefined;
    },
    3000,
    200,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}`);
  });
  return { id, apiKey, appId: o.appId };
}

/** The simulator's follower openids of an account (valid for the blacklist APIs). */
export async function followersOf(sim: Simulator, appId: string): Promise<string[]> {
  const view = await sim.control<{ followers: string[] }>('GET', `/authorizers/${appId}?followers=1`);
  return view.followers;
}

/**
 * The authorizer access token the gateway holds for a tenant, decrypted with the secrets key we
 * gave it: the direct leg of the overhead scenario uses the very token the gateway uses.
 */
export async function storedAccessToken(databaseUrl: string, secretsKey: string, tenantId: string): Promise<string> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ access_token: string | null }>(
      `SELECT access_token FROM authorizers WHERE tenant_id = $1`,
      [tenantId],
    );
    const sealed = rows[0]?.access_token;
    if (!sealed) throw new Error(`tenant ${tenantId} has no stored access token`);
    const cipher = new (common().SecretCipher)(Buffer.from(secretsKey, 'base64'));
    // Sealed values are bound to their place: the table, column and row they were stored in.
    return cipher.decrypt(sealed, { table: 'authorizers', column: 'access_token', row: tenantId });
  } finally {
    await db.end();
  }
}

export const FILLER_PREFIX = 'bench-filler-';

/**
 * After a bulk change: fresh statistics and visibility (as a long-lived, autovacuumed database
 * has), and dirty pages flushed, so neither autovacuum nor the checkpointer runs during the
 * measurement that follows. Done the same way after inserting and after deleting.
 */
async function settle(db: Client): Promise<void> {
  await db.query('VACUUM ANALYZE tenants');
  await db.query('VACUUM ANALYZE authorizers');
  await db.query('CHECKPOINT');
}

/**
 * Inserts `count` more tenants straight into the migrated schema (tenants + authorizers, the two
 * tables every tenant request reads), so the scale scenario can reach 10,000 tenants in seconds.
 * Rows look like onboarded ones: most active with an authorizer, some pending; their key digests
 * are random (nobody holds those keys) and they carry no tokens (never called).
 */
export async function insertFillerTenants(databaseUrl: string, count: number): Promise<void> {
  if (count <= 0) return;
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const salt = randomBytes(8).toString('hex');
    await db.query(
      `INSERT INTO tenants (name, external_id, status, api_key_hash, created_at)
       SELECT $1 || g, $1 || $2 || '-' || g,
              CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'active' END,
              encode(sha256(($2 || g)::bytea), 'hex'),
              now() - make_interval(secs => g)
         FROM generate_series(1, $3::int) AS g`,
      [FILLER_PREFIX, salt, count],
    );
    await db.query(
      `INSERT INTO authorizers (tenant_id, app_id, nick_name, principal_name, service_type, verify_type, verified, permission_sets)
       SELECT t.id, 'wxf' || substr(md5(t.id::text), 1, 16), t.name, t.name || ' Ltd', 2, 0, true, '{1,2,15}'
         FROM tenants t
        WHERE t.name LIKE $1 || '%' AND t.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM authorizers a WHERE a.tenant_id = t.id)`,
      [FILLER_PREFIX],
    );
    await db.query('COMMIT');
    await settle(db);
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await db.end();
  }
}

export async function deleteFillerTenants(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`DELETE FROM tenants WHERE name LIKE $1 || '%'`, [FILLER_PREFIX]);
    await settle(db);
  } finally {
    await db.end();
  }
}

export async function countTenants(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM tenants WHERE deleted_at IS NULL`);
    return Number(rows[0].n);
  } finally {
    await db.end();
  }
}
