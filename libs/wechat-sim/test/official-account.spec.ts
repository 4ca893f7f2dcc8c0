import { startHarness, type Harness } from './support';

describe('Official Account APIs beyond the blacklist (contract section 8)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ authorizerTokenTtlSec: 7200 });
  });
  afterEach(() => h.close());

  const get = async (api: string, query: Record<string, string>) => (await h.http.get(`/cgi-bin/${api}`, { params: query })).data;

  it('message/custom/send needs set 1 or 54 (61007 otherwise) and answers ok', async () => {
    const oa = await h.onboard({ appId: 'wx_msg', permissionSets: [54], followers: ['o_m1'] });
    const body = { touser: 'o_m1', msgtype: 'text', text: { content: 'hi' } };
    expect(await h.call('message/custom/send', body, { access_token: oa.accessToken })).toEqual({ errcode: 0, errmsg: 'ok' });
    const none = await h.onboard({ appId: 'wx_msg2', permissionSets: [2], followers: ['o_m2'] });
    expect((await h.call('message/custom/send', body, { access_token: none.accessToken })).errcode).toBe(61007);
    expect((await h.call('message/custom/send', body, { access_token: 'bogus' })).errcode).toBe(40001);
  });

  it('user/info and user/get are GET APIs of set 2', async () => {
    const oa = await h.onboard({ appId: 'wx_usr', permissionSets: [2], followers: ['o_u1', 'o_u2'] });
    expect(await get('user/info', { access_token: oa.accessToken, openid: 'o_u2' })).toMatchObject({
      subscribe: 1,
      openid: 'o_u2',
    });
    expect((await get('user/info', { access_token: oa.accessToken, openid: 'o_nobody' })).errcode).toBe(40003);
    expect(await get('user/get', { access_token: oa.accessToken })).toEqual({
      total: 2,
      count: 2,
      data: { openid: ['o_u1', 'o_u2'] },
      next_openid: 'o_u2',
    });
    expect(await get('user/get', { access_token: oa.accessToken, next_openid: 'o_u2' })).toEqual({
      total: 2,
      count: 0,
      next_openid: '',
    });
    expect((await h.call('user/get', {}, { access_token: oa.accessToken })).errcode).toBe(43001);
  });

  it('menu/create then menu/get (set 15); no menu → 46003', async () => {
    const oa = await h.onboard({ appId: 'wx_menu', permissionSets: [15] });
    expect((await get('menu/get', { access_token: oa.accessToken })).errcode).toBe(46003);
    const button = [{ type: 'click', name: 'A', key: 'a' }];
    expect(await h.call('menu/create', { button }, { access_token: oa.accessToken })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await get('menu/get', { access_token: oa.accessToken })).toEqual({ menu: { button } });
    expect((await h.call('menu/create', { button: [] }, { access_token: oa.accessToken })).errcode).toBe(40016);
  });

  it('media/upload reads the multipart field `media` (set 11)', async () => {
    const oa = await h.onboard({ appId: 'wx_media', permissionSets: [11] });
    const form = new FormData();
    form.append('media', new Blob([Buffer.from('jpeg bytes')], { type: 'image/jpeg' }), 'a.jpg');
    const upload = async (query: Record<string, string>, body: FormData | string = form) =>
      (await h.http.post('/cgi-bin/media/upload', body, { params: { access_token: oa.accessToken, ...query } })).data;
    expect(await upload({ type: 'image' })).toMatchObject({
      type: 'image',
      media_id: expect.any(String),
      created_at: expect.any(Number),
    });
    expect((await upload({ type: 'pdf' })).errcode).toBe(40004);
    const empty = new FormData();
    empty.append('other', 'x');
    expect((await upload({ type: 'image' }, empty)).errcode).toBe(41005);
  });

  it('quota and faults apply as to every API', async () => {
    const oa = await h.onboard({ appId: 'wx_q', permissionSets: [15] });
    h.sim.setQuota({ api: 'menu/get', daily: 0, appId: 'wx_q' });
    expect((await get('menu/get', { access_token: oa.accessToken })).errcode).toBe(45009);
    h.sim.addFault({ api: 'menu/create', type: 'errcode', errcode: -1, count: 1 });
    expect(
      (await h.call('menu/create', { button: [{ type: 'click', name: 'A', key: 'a' }] }, { access_token: oa.accessToken }))
        .errcode,
    ).toBe(-1);
  });
});
