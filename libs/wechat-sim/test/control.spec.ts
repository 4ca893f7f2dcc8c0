import { COMPONENT, startHarness, type Harness } from './support';

const appid = COMPONENT.componentAppId;

describe('control API, call log, reset, malformed requests', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  describe('authorizers', () => {
    it('creates accounts with generated followers (prefix per appid) and reports their state', async () => {
      const res = await h.http.post('/__sim/authorizers', {
        appId: 'wx_c1',
        nickName: 'One',
        verified: false,
        serviceType: 0,
        followerCount: 3,
      });
      expect(res.status).toBe(201);
      expect(res.data).toMatchObject({
        appId: 'wx_c1',
        nickName: 'One',
        verifyType: -1,
        verified: false,
        serviceType: 0,
        followerCount: 3,
        blacklist: [],
        authorization: { status: 'never', permissionSets: [], authTime: null },
      });
      const other = (await h.http.post('/__sim/authorizers', { appId: 'wx_c2', followerCount: 3 })).data;
      expect(res.data.followers).toHaveLength(3);
      expect(res.data.followers.filter((o: string) => other.followers.includes(o))).toEqual([]);
      const got = await h.http.get('/__sim/authorizers/wx_c1');
      expect(got.data.followers).toEqual(res.data.followers);
      expect(JSON.stringify(got.data)).not.toMatch(/refreshtoken|access_token/i);
      expect((await h.http.get('/__sim/authorizers/wx_nobody')).status).toBe(404);
      expect((await h.http.post('/__sim/authorizers', { appId: 'wx_c1' })).status).toBe(409);
    });

    it('validates control input (400 JSON) and refuses one openid in two accounts', async () => {
      const bad = [
        { appId: 'has space' },
        { serviceType: 7 },
        { verifyType: -2 },
        { verified: 'yes' },
        { verified: true, verifyType: -1 },
        { permissionSets: [999] },
        { followers: 'o_1' },
        { followerCount: -1 },
        { push: 'now' },
        { nickname: 'typo' },
      ];
      for (const body of bad) {
        const res = await h.http.post('/__sim/authorizers', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.data).toEqual({ error: 'bad_request', message: expect.any(String) });
      }
      const malformed = await h.http.post('/__sim/authorizers', '{"appId":', { headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(400);
      await h.sim.createAuthorizer({ appId: 'wx_u1', followers: ['o_shared'] });
      expect((await h.http.post('/__sim/authorizers', { appId: 'wx_u2', followers: ['o_shared'] })).status).toBe(400);
      expect((await h.http.patch('/__sim/authorizers/wx_u1', { blacklist: ['o_not_follower'] })).status).toBe(400);
      expect((await h.http.patch('/__sim/authorizers/wx_u1', { permissionSets: [2] })).status).toBe(409);
      expect((await h.http.post('/__sim/expire-tokens', { kind: 'everything' })).status).toBe(400);
      // A misspelt field is named as unknown, not reported as a required field missing.
      expect((await h.http.post('/__sim/expire-tokens', { kinds: 'all' })).data.message).toBe('unknown field(s): kinds');
      expect((await h.http.post('/__sim/quotas', { api: 'nope', dialy: 1 })).data.message).toBe('unknown field(s): dialy');
      expect((await h.http.put('/__sim/event-url', { url: 'javascript:alert(1)' })).status).toBe(400);
      expect((await h.http.post('/__sim/quotas', { api: 'tags/members/getblacklist' })).status).toBe(400);
      expect((await h.http.patch('/__sim/settings', { blacklistPageSize: 0 })).status).toBe(400);
      expect((await h.http.get('/__sim/calls', { params: { since: 'yesterday' } })).status).toBe(400);
      expect((await h.http.get('/__sim/nope')).status).toBe(404);
    });

    it('patches followers and verification', async () => {
      await h.sim.createAuthorizer({ appId: 'wx_p', followers: ['o_1', 'o_2'] });
      const res = await h.http.patch('/__sim/authorizers/wx_p', {
        addFollowers: ['o_3'],
        removeFollowers: ['o_1'],
        verifyType: -1,
        blacklist: ['o_2'],
      });
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({ followers: ['o_2', 'o_3'], blacklist: ['o_2'], verifyType: -1 });
    });
  });

  it('PUT event-url and POST push-ticket deliver a ticket to the new URL', async () => {
    h.sim.setEventUrl('http://127.0.0.1:1/nowhere');
    const failed = await h.http.post('/__sim/push-ticket');
    expect(failed.data).toMatchObject({ state: 'failed', acknowledged: false });
    expect((await h.http.put('/__sim/event-url', { url: h.events.url })).data).toEqual({ eventUrl: h.events.url });
    const ok = await h.http.post('/__sim/push-ticket');
    expect(ok.data).toMatchObject({ state: 'delivered', acknowledged: true, httpStatus: 200, reply: 'success' });
    expect(ok.data.fields.ComponentVerifyTicket).toMatch(/^\*\*\*[0-9a-f]{8}$/);
    expect(h.events.of('component_verify_ticket')).toHaveLength(1);
  });

  it('expire-tokens kind component makes the component token answer 42001', async () => {
    const token = await h.componentToken();
    expect((await h.http.post('/__sim/expire-tokens', { kind: 'component' })).data).toEqual({ expired: 1 });
    const res = await h.call('component/api_create_preauthcode', { component_appid: appid }, { component_access_token: token });
    expect(res.errcode).toBe(42001);
  });

  it('clock/advance moves simulated time for a simulator in another process', async () => {
    const token = await h.componentToken();
    expect((await h.http.post('/__sim/clock/advance', { ms: 7200_000 })).status).toBe(200);
    const res = await h.call('component/api_create_preauthcode', { component_appid: appid }, { component_access_token: token });
    expect(res.errcode).toBe(42001);
  });

  describe('call log', () => {
    it('records every call with the account, errcode, and no credential in clear', async () => {
      const oa = await h.onboard({ appId: 'wx_log', followers: ['o_l'] });
      const token = await h.componentToken();
      const refresh = await h.call(
        'component/api_authorizer_token',
        { component_appid: appid, authorizer_appid: 'wx_log', authorizer_refresh_token: oa.refreshToken },
        { component_access_token: token },
      );
      await h.call(
        'tags/members/batchblacklist',
        { openid_list: ['o_l', 'o_bad'] },
        { access_token: refresh.authorizer_access_token },
      );
      await h.call('component/api_start_push_ticket', { component_appid: appid, component_secret: COMPONENT.componentAppSecret });

      const res = await h.http.get('/__sim/calls');
      const log = JSON.stringify(res.data);
      const secrets = [
        COMPONENT.componentAppSecret,
        token,
        oa.accessToken,
        oa.refreshToken,
        refresh.authorizer_access_token,
        ...h.events.of('component_verify_ticket').map((p) => p.fields.ComponentVerifyTicket),
        ...h.events.of('authorized').map((p) => p.fields.AuthorizationCode),
      ];
      expect(secrets.length).toBeGreaterThanOrEqual(7);
      for (const s of secrets) expect(log).not.toContain(s);
      expect(JSON.stringify(h.sim.pushes())).not.toContain(secrets[5]);

      const calls = res.data as Array<Record<string, any>>;
      expect(calls.map((c) => c.api)).toEqual([
        'component/api_component_token',
        'component/api_query_auth',
        'component/api_component_token',
        'component/api_authorizer_token',
        'tags/members/batchblacklist',
        'component/api_start_push_ticket',
      ]);
      expect(calls[1]).toMatchObject({
        appId: 'wx_log',
        errcode: 0,
        body: { authorization_code: expect.stringMatching(/^\*\*\*/) },
      });
      expect(calls[3]).toMatchObject({
        appId: 'wx_log',
        query: { component_access_token: expect.stringMatching(/^\*\*\*/) },
        body: { component_appid: appid, authorizer_appid: 'wx_log', authorizer_refresh_token: expect.stringMatching(/^\*\*\*/) },
      });
      expect(calls[4]).toMatchObject({
        appId: 'wx_log',
        errcode: 40003,
        httpStatus: 200,
        body: { openid_list: ['o_l', 'o_bad'] },
      });
      expect(calls[4].seq).toBeGreaterThan(calls[3].seq);

      const filtered = await h.http.get('/__sim/calls', { params: { appId: 'wx_log', api: 'tags/members/batchblacklist' } });
      expect(filtered.data).toHaveLength(1);
      expect((await h.http.get('/__sim/calls', { params: { since: calls[4].seq } })).data).toHaveLength(1);
      expect((await h.http.delete('/__sim/calls')).status).toBe(204);
      expect(h.sim.calls()).toEqual([]);
    });
  });

  describe('malformed API requests', () => {
    it('non-JSON body → 47001, empty body → 44002, GET → 43002, unknown path → 404 JSON', async () => {
      await h.sim.pushTicket();
      // transformRequest keeps axios from JSON-encoding the raw strings.
      const post = (data: string) =>
        h.http.post('/cgi-bin/component/api_component_token', data, {
          headers: { 'content-type': 'application/json' },
          transformRequest: [(d: string) => d],
        });
      expect((await post('{"component_appid": ')).data.errcode).toBe(47001);
      expect((await post('<xml/>')).data.errcode).toBe(47001);
      expect((await post('[1,2]')).data.errcode).toBe(47001);
      expect((await post('')).data.errcode).toBe(44002);
      expect((await h.http.get('/cgi-bin/component/api_component_token')).data.errcode).toBe(43002);
      const unknown = await h.http.post('/cgi-bin/component/api_does_not_exist', {});
      expect(unknown.status).toBe(404);
      expect(unknown.data).toMatchObject({ error: 'not_found' });
      expect((await h.http.get('/elsewhere')).status).toBe(404);
      expect(h.sim.calls().at(-1)).toMatchObject({ api: 'unknown:/component/api_does_not_exist', httpStatus: 404 });
    });

    it('a JSON body is accepted whatever the content type says', async () => {
      await h.sim.pushTicket();
      const body = JSON.stringify({
        component_appid: appid,
        component_appsecret: COMPONENT.componentAppSecret,
        component_verify_ticket: h.events.latestTicket(),
      });
      const res = await h.http.post('/cgi-bin/component/api_component_token', body, {
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.data.component_access_token).toBeDefined();
    });
  });

  it('reset forgets accounts, tokens, tickets, faults, quotas and the log, but keeps identity and event URL', async () => {
    const oa = await h.onboard({ appId: 'wx_reset' });
    const token = await h.componentToken();
    const ticket = h.events.latestTicket();
    h.sim.addFault({ api: '*', type: 'errcode', errcode: -1 });
    h.sim.setQuota({ api: '*', daily: 0 });
    h.sim.updateSettings({ blacklistPageSize: 5 });

    expect((await h.http.post('/__sim/reset')).status).toBe(204);

    expect(h.sim.listAuthorizers()).toEqual([]);
    expect(h.sim.calls()).toEqual([]);
    expect(h.sim.faults()).toEqual([]);
    expect((await h.http.get('/__sim')).data).toMatchObject({
      componentAppId: appid,
      eventUrl: h.events.url,
      settings: { blacklistPageSize: 10_000 },
    });
    expect((await h.call('tags/members/getblacklist', {}, { access_token: oa.accessToken })).errcode).toBe(40001);
    const pre = await h.call('component/api_create_preauthcode', { component_appid: appid }, { component_access_token: token });
    expect(pre.errcode).toBe(40001);
    const tok = await h.call('component/api_component_token', {
      component_appid: appid,
      component_appsecret: COMPONENT.componentAppSecret,
      component_verify_ticket: ticket,
    });
    expect(tok.errcode).toBe(61006);
    // And it works again from scratch (no quota left over).
    expect(await h.componentToken()).toEqual(expect.any(String));
  });
});
