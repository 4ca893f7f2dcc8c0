import axios from 'axios';
import { COMPONENT, startHarness, type Harness } from './support';

describe('quotas (45009 / 45011 / clear_quota)', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('per-account daily quota → 45009 until clear_quota or the next Beijing day', async () => {
    h = await startHarness({ dailyQuota: { 'tags/members/getblacklist': 2 }, authorizerTokenTtlSec: 86_400 });
    const a = await h.onboard({ appId: 'wx_qa' });
    const b = await h.onboard({ appId: 'wx_qb' });
    const get = (t: string) => h.call('tags/members/getblacklist', {}, { access_token: t });
    expect((await get(a.accessToken)).errcode).toBeUndefined();
    expect((await get(a.accessToken)).errcode).toBeUndefined();
    expect((await get(a.accessToken)).errcode).toBe(45009);
    // Quotas are per account: b is untouched.
    expect((await get(b.accessToken)).errcode).toBeUndefined();

    const usage = await h.call(
      'openapi/quota/get',
      { cgi_path: '/cgi-bin/tags/members/getblacklist' },
      { access_token: a.accessToken },
    );
    expect(usage).toEqual({ errcode: 0, errmsg: 'ok', quota: { daily_limit: 2, used: 2, remain: 0 } });

    expect((await h.call('clear_quota', { appid: 'wx_qb' }, { access_token: a.accessToken })).errcode).toBe(40013);
    expect(await h.call('clear_quota', { appid: 'wx_qa' }, { access_token: a.accessToken })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await get(a.accessToken)).errcode).toBeUndefined();
    expect((await get(a.accessToken)).errcode).toBeUndefined();
    expect((await get(a.accessToken)).errcode).toBe(45009);

    // Daily quotas reset at midnight Beijing time (16:00 UTC); the clock starts at 04:00 UTC.
    h.clock.advanceSec(12 * 3600 - 1);
    expect((await get(a.accessToken)).errcode).toBe(45009);
    h.clock.advanceSec(1);
    expect((await get(a.accessToken)).errcode).toBeUndefined();
  });

  it('per-minute rate → 45011, next minute works again; set at run time through the control API', async () => {
    h = await startHarness();
    const oa = await h.onboard({ appId: 'wx_rate', followers: ['o_r'] });
    const res = await h.http.post('/__sim/quotas', { api: 'tags/members/batchblacklist', perMinute: 1, appId: 'wx_rate' });
    expect(res.status).toBe(200);
    const black = () => h.call('tags/members/batchblacklist', { openid_list: ['o_r'] }, { access_token: oa.accessToken });
    expect((await black()).errcode).toBe(0);
    expect((await black()).errcode).toBe(45011);
    h.clock.advanceSec(60);
    expect((await black()).errcode).toBe(0);
  });

  it('component APIs bill the component; component/clear_quota resets it', async () => {
    h = await startHarness({ dailyQuota: { 'component/api_create_preauthcode': 1 } });
    const token = await h.componentToken();
    const pre = () =>
      h.call(
        'component/api_create_preauthcode',
        { component_appid: COMPONENT.componentAppId },
        { component_access_token: token },
      );
    expect((await pre()).pre_auth_code).toBeDefined();
    expect((await pre()).errcode).toBe(45009);
    const cleared = await h.call(
      'component/clear_quota',
      { component_appid: COMPONENT.componentAppId },
      { component_access_token: token },
    );
    expect(cleared).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await pre()).pre_auth_code).toBeDefined();
  });
});

describe('faults', () => {
  let h: Harness;
  let oa: { appId: string; accessToken: string };
  beforeEach(async () => {
    h = await startHarness();
    oa = await h.onboard({ appId: 'wx_fault', followers: ['o_f'] });
  });
  afterEach(() => h.close());
  const get = () => h.http.post('/cgi-bin/tags/members/getblacklist', {}, { params: { access_token: oa.accessToken } });

  it('errcode -1 for the next N calls, then normal again; the state is untouched', async () => {
    h.sim.addFault({ api: 'tags/members/batchblacklist', type: 'errcode', errcode: -1, count: 2 });
    const black = () => h.call('tags/members/batchblacklist', { openid_list: ['o_f'] }, { access_token: oa.accessToken });
    expect((await black()).errcode).toBe(-1);
    expect(h.sim.getAuthorizer('wx_fault').blacklist).toEqual([]);
    expect((await black()).errcode).toBe(-1);
    expect((await black()).errcode).toBe(0);
    expect(h.sim.faults()).toEqual([]);
    expect(h.sim.calls({ api: 'tags/members/batchblacklist' }).map((c) => c.errcode)).toEqual([-1, -1, 0]);
  });

  it('any errcode, scoped to one account', async () => {
    const other = await h.onboard({ appId: 'wx_fault2' });
    h.sim.addFault({ api: '*', type: 'errcode', errcode: 45011, appId: 'wx_fault' });
    expect((await get()).data.errcode).toBe(45011);
    expect((await h.call('tags/members/getblacklist', {}, { access_token: other.accessToken })).errcode).toBeUndefined();
  });

  it('http500 answers a non-JSON 500', async () => {
    await h.http.post('/__sim/faults', { api: 'tags/members/getblacklist', type: 'http500', count: 1 });
    const res = await get();
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/html/);
    expect((await get()).status).toBe(200);
  });

  it('delay holds the answer back', async () => {
    h.sim.addFault({ api: 'tags/members/getblacklist', type: 'delay', delayMs: 300, count: 1 });
    const started = Date.now();
    const res = await get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.data.total).toBe(0);
  });

  it('drop closes the connection without an answer', async () => {
    h.sim.addFault({ api: 'tags/members/getblacklist', type: 'drop', count: 1 });
    await expect(
      axios.post(`${h.sim.url}/cgi-bin/tags/members/getblacklist?access_token=${oa.accessToken}`, {}),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|ERR_BAD_RESPONSE|socket hang up/),
    });
    expect(h.sim.calls({ api: 'tags/members/getblacklist' })[0]).toMatchObject({
      httpStatus: null,
      errcode: null,
      fault: expect.stringMatching(/^drop#/),
    });
    expect((await get()).status).toBe(200);
  });

  it('probability fires on roughly that share of calls (deterministic with an injected random)', async () => {
    await h.close();
    const rolls = [0.1, 0.9, 0.49, 0.5, 0.2];
    h = await startHarness({ random: () => rolls.shift()! });
    oa = await h.onboard({ appId: 'wx_p' });
    h.sim.addFault({ api: 'tags/members/getblacklist', type: 'errcode', errcode: -1, probability: 0.5 });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await get()).data.errcode);
    expect(codes).toEqual([-1, undefined, -1, undefined, -1]);
  });

  it('faults can be listed and cleared over HTTP; bad fault input → 400', async () => {
    expect((await h.http.post('/__sim/faults', { api: 'nope', type: 'errcode', errcode: -1 })).status).toBe(400);
    expect((await h.http.post('/__sim/faults', { api: '*', type: 'errcode' })).status).toBe(400);
    expect((await h.http.post('/__sim/faults', { api: '*', type: 'delay' })).status).toBe(400);
    expect((await h.http.post('/__sim/faults', { api: '*', type: 'drop', probability: 2 })).status).toBe(400);
    expect((await h.http.post('/__sim/faults', { api: '*', type: 'errcode', errcode: -1, colour: 'red' })).status).toBe(400);
    expect((await h.http.post('/__sim/faults', { api: '*', type: 'errcode', errcode: -1 })).status).toBe(201);
    expect((await h.http.get('/__sim/faults')).data).toHaveLength(1);
    expect((await h.http.delete('/__sim/faults')).status).toBe(204);
    expect((await get()).data.errcode).toBeUndefined();
  });
});

describe('throughput cap', () => {
  it('queues calls beyond maxCallsPerSecond instead of rejecting them', async () => {
    const h = await startHarness({ maxCallsPerSecond: 20 });
    try {
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 10 }, () => h.http.post('/cgi-bin/tags/members/getblacklist', {})));
      // 10 calls at 20/s need at least 9 gaps of 50 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(results.every((r) => r.status === 200 && r.data.errcode === 41001)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
