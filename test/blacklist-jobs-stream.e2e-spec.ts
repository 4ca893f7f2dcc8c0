import request from 'supertest';
import { type Harness, startHarness } from './support/gateway-harness';
import { onboardTenant, type OnboardedTenant, sql } from './support/onboarding';
import { allItems, appliedOpenids, BATCH_BLOCK, BATCH_UNBLOCK, bearer, waitForJob } from './support/blacklist-helpers';

/** Jobs whose openids arrive as a stream: application/x-ndjson and text/csv. */
describe('blacklist jobs submitted as a stream', () => {
  let h: Harness;
  let t: OnboardedTenant;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({ ...c, blacklist: { ...c.blacklist, jobs: { pollingIntervalSeconds: 0.5 } } }),
    });
    t = await onboardTenant(h, { followers: 30 });
  });
  afterAll(async () => h?.close());

  const post = (type: string, body: string, query = '') =>
    request(h.url).post(`/v1/tenants/${t.id}/blacklist/jobs${query}`).set(bearer(t.apiKey)).set('content-type', type).send(body);
  const jobCount = async () =>
    (await sql<{ n: number }>(h, `SELECT count(*)::int AS n FROM blacklist_jobs WHERE tenant_id = $1`, [t.id]))[0].n;

  it('ndjson: the action line, then openids bare or quoted; duplicates once, in first-seen order; CRLF and blank lines fine', async () => {
    const ids = t.followers.slice(0, 25);
    const lines = ['{"action":"block"}', ...ids.map((o, i) => (i % 2 ? JSON.stringify(o) : o)), ids[3], '', ids[0]];
    const since = h.sim.calls().length;
    const res = await post('application/x-ndjson', `${lines.join('\r\n')}\n`).expect(202);
    expect(res.body).toMatchObject({ action: 'block', status: 'queued', total: 25 });
    const { job } = await waitForJob(h.url, t.apiKey, t.id, res.body.id);
    expect(job.status).toBe('succeeded');
    const items = await allItems(h.url, t.apiKey, t.id, res.body.id);
    expect(items.map((i) => i.openid)).toEqual(ids);
    expect(new Set(appliedOpenids(h.sim, BATCH_BLOCK, t.appId, since))).toEqual(new Set(ids));
  });

  it('csv: ?action=unblock, optional header, one openid per line', async () => {
    const ids = t.followers.slice(0, 5);
    const since = h.sim.calls().length;
    const res = await post('text/csv; charset=utf-8', ['openid', ...ids].join('\n'), '?action=unblock').expect(202);
    expect(res.body).toMatchObject({ action: 'unblock', total: 5 });
    await waitForJob(h.url, t.apiKey, t.id, res.body.id);
    expect(new Set(appliedOpenids(h.sim, BATCH_UNBLOCK, t.appId, since))).toEqual(new Set(ids));
  });

  it('invalid lines are reported per item and nothing is created', async () => {
    const before = await jobCount();
    const res = await post(
      'application/x-ndjson',
      ['{"action":"block"}', t.followers[0], 'bad openid!', '42', '"x"', '{"o":1}'].join('\n'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.invalidCount).toBe(2);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['openids[1]', 'openids[4]']);
    expect(await jobCount()).toBe(before);
  });

  it('a missing or wrong action, and an empty list, are 400', async () => {
    expect((await post('text/csv', t.followers[0])).status).toBe(400);
    expect((await post('application/x-ndjson', `{"action":"delete"}\n${t.followers[0]}`)).status).toBe(400);
    expect((await post('application/x-ndjson', `${t.followers[0]}\n`)).status).toBe(400);
    expect((await post('application/x-ndjson', '{"action":"block"}\n\n')).status).toBe(400);
  });

  it('needs a key like the JSON body', async () => {
    const res = await request(h.url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set('content-type', 'application/x-ndjson')
      .send(`{"action":"block"}\n${t.followers[0]}`);
    expect(res.status).toBe(401);
  });
});
