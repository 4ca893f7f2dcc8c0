import request from 'supertest';
import { AuditRetention } from '../apps/gateway/src/audit/audit-retention.schedule';
import { AuditRepository } from '../apps/gateway/src/audit/audit.repository';
import { BatchedDeletes } from '../apps/gateway/src/platform/background/batched-deletes';
import { JobItemsRetention } from '../apps/gateway/src/blacklist-jobs/job-items-retention.schedule';
import { ComponentApiCallsSweep } from '../apps/gateway/src/component/component-api-calls-sweep.schedule';
import type { GatewayConfig } from '../apps/gateway/src/platform/config/gateway-config';
import { CodeExchangesRetention } from '../apps/gateway/src/onboarding/code-exchanges-retention.schedule';
import { WebhookRetention } from '../apps/gateway/src/webhooks/webhook-retention.schedule';
import { MessageReceiptsSweep } from '../apps/gateway/src/follower-messages/message-receipts-sweep.schedule';
import { waitForJob } from './support/blacklist-helpers';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, onboardTenant, sql } from './support/onboarding';

const count = async (h: Harness, table: string, where = 'true', params: unknown[] = []) =>
  (await sql<{ n: number }>(h, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0].n;

const deletedMetric = async (h: Harness, table: string) => {
  const text = (await request(h.url).get('/metrics').expect(200)).text;
  const m = new RegExp(`^background_rows_deleted_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};

describe('retention: data that stops growing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, blacklist: { ...c.blacklist, jobs: { pollingIntervalSeconds: 0.5 } } }) });
  }, 60_000);
  afterAll(() => h?.close());

  it('every sweep is a pg-boss schedule; the audit trail is kept unless RETENTION_AUDIT_DAYS is set', async () => {
    const names = (await sql<{ name: string }>(h, `SELECT name FROM pgboss.schedule ORDER BY name`)).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'message-receipts-sweep',
        'webhook-retention',
        'job-items-retention',
        'component-api-calls-sweep',
        'code-exchanges-retention',
      ]),
    );
    expect(names).not.toContain('audit-retention');
  });

  it('message receipts past RETENTION_MESSAGE_RECEIPTS_DAYS (3) go, younger ones stay; counted per table', async () => {
    await sql(
      h,
      `INSERT INTO wechat_message_receipts (app_id, message_key, answer, received_at)
       VALUES ('wxret', 'old', 'success', now() - interval '3 days 1 hour'), ('wxret', 'young', 'success', now() - interval '2 days 23 hours')`,
    );
    await h.app.get(MessageReceiptsSweep).run();
    expect(await sql(h, `SELECT message_key FROM wechat_message_receipts WHERE app_id = 'wxret'`)).toEqual([
      { message_key: 'young' },
    ]);
    expect(await deletedMetric(h, 'wechat_message_receipts')).toBeGreaterThanOrEqual(1);
  });

  it('webhook events past RETENTION_WEBHOOK_DAYS (30) go with their deliveries; younger ones and ones still pending stay', async () => {
    const ep = await request(h.url)
      .post('/v1/webhook-endpoints')
      .set(bearer(h.operatorKey))
      .send({ url: 'http://127.0.0.1:9/never' })
      .expect(201);
    const events = await sql<{ id: string; label: string }>(
      h,
      `INSERT INTO webhook_events (type, body, occurred_at, created_at)
       SELECT 'component.ticket_stale', '{}', now() - a, now() - a FROM (VALUES (interval '31 days'), (interval '31 days'), (interval '29 days')) v(a)
       RETURNING id, to_char(now() - created_at, 'DD') AS label`,
    );
    const [old, oldPending, young] = events.map((e) => e.id);
    await sql(
      h,
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at)
       VALUES ($1, $2, 'delivered', '[]', NULL), ($1, $3, 'pending', '[]', now() + interval '1 day'), ($1, $4, 'failed', '[]', NULL)`,
      [ep.body.id, old, oldPending, young],
    );
    await h.app.get(WebhookRetention).run();
    const left = (
      await sql<{ id: string }>(h, `SELECT id FROM webhook_events WHERE id = ANY($1::uuid[])`, [[old, oldPending, young]])
    ).map((r) => r.id);
    expect(left.sort()).toEqual([oldPending, young].sort());
    expect(await count(h, 'webhook_deliveries', 'event_id = $1', [old])).toBe(0);
    expect(await count(h, 'webhook_deliveries', 'event_id = ANY($1::uuid[])', [[oldPending, young]])).toBe(2);
    expect(await deletedMetric(h, 'webhook_deliveries')).toBeGreaterThanOrEqual(1);
  });

  it('items of jobs finished past RETENTION_JOB_ITEMS_DAYS (90) go; the job and its counts stay, and younger jobs keep theirs', async () => {
    const t = await onboardTenant(h, { followers: 30 });
    const submit = async (openids: string[]) => {
      const res = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer(h.operatorKey))
        .send({ action: 'block', openids })
        .expect(202);
      return (await waitForJob(h.url, h.operatorKey, t.id, res.body.id)).job;
    };
    const oldJob = await submit(t.followers.slice(0, 25));
    const youngJob = await submit(t.followers.slice(25));
    await sql(h, `UPDATE blacklist_jobs SET finished_at = now() - interval '91 days' WHERE id = $1`, [oldJob.id]);
    await sql(h, `UPDATE blacklist_jobs SET finished_at = now() - interval '89 days' WHERE id = $1`, [youngJob.id]);

    await h.app.get(JobItemsRetention).run();
    expect(await count(h, 'blacklist_job_items', 'job_id = $1', [oldJob.id])).toBe(0);
    expect(await count(h, 'blacklist_job_chunks', 'job_id = $1', [oldJob.id])).toBe(0);
    expect(await count(h, 'blacklist_job_items', 'job_id = $1', [youngJob.id])).toBe(5);
    const after = await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${oldJob.id}`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(after.body).toEqual(expect.objectContaining({ total: 25, succeeded: 25, status: oldJob.status }));
  });

  it('component call counts past RETENTION_API_CALLS_DAYS (30) and code exchanges past their 30 days go; younger stay', async () => {
    const today = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;
    await sql(
      h,
      `INSERT INTO component_api_calls (day, api, calls) VALUES (${today} - 31, 'ret_test', 1), (${today} - 30, 'ret_test', 2)`,
    );
    await h.app.get(ComponentApiCallsSweep).run();
    expect(await sql(h, `SELECT calls FROM component_api_calls WHERE api = 'ret_test'`)).toEqual([{ calls: 2 }]);

    const t = await onboardTenant(h);
    await sql(
      h,
      `INSERT INTO authorization_code_exchanges (code_hash, tenant_id, outcome, created_at)
       VALUES (repeat('a', 64), $1, 'code_invalid', now() - interval '31 days'), (repeat('b', 64), $1, 'code_invalid', now() - interval '29 days')`,
      [t.id],
    );
    await h.app.get(CodeExchangesRetention).run();
    expect(
      await sql(
        h,
        `SELECT left(code_hash, 1) AS c FROM authorization_code_exchanges WHERE tenant_id = $1 AND outcome = 'code_invalid'`,
        [t.id],
      ),
    ).toEqual([{ c: 'b' }]);
  });

  it('audit events: none go while RETENTION_AUDIT_DAYS is unset; with it, only the older ones', async () => {
    const t = await onboardTenant(h);
    await sql(
      h,
      `INSERT INTO audit_events (tenant_id, at, actor, action, total, succeeded, invalid, failed)
       VALUES ($1, now() - interval '400 days', 'system', 'ret.test', 0, 0, 0, 0), ($1, now() - interval '6 days', 'system', 'ret.test', 0, 0, 0, 0)`,
      [t.id],
    );
    await h.app.get(AuditRetention).run();
    expect(await count(h, 'audit_events', `tenant_id = $1 AND action = 'ret.test'`, [t.id])).toBe(2);

    const withDays = new AuditRetention(
      { ...h.config, retention: { auditDays: 7 } } as GatewayConfig,
      h.app.get(AuditRepository),
      h.app.get(BatchedDeletes),
    );
    await withDays.run();
    expect(await count(h, 'audit_events', `tenant_id = $1 AND action = 'ret.test'`, [t.id])).toBe(1);
    expect(await count(h, 'audit_events', `at < now() - interval '7 days'`)).toBe(0);
  });
});
