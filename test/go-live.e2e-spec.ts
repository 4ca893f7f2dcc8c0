import request from 'supertest';
import { GO_LIVE_TEST_APPIDS } from '@app/wechat-sim';
import { startHarness, type Harness } from './support/gateway-harness';
import { sql } from './support/onboarding';
import { craftMessagePush, openReply, sendMessagePush, textMessage } from './support/message-pushes';

/** WeChat's go-live check (全网发布接入检测) against the message URL, through the simulator over real HTTP. */
describe('go-live check', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const metrics = async () => (await request(h.url).get('/metrics').expect(200)).text;

  it('passes through the simulator: passive replies, then api_query_auth and the custom message within 10 s', async () => {
    const res = await request(h.sim.url).post('/__sim/go-live-check').send({}).expect(200);
    expect(res.body).toMatchObject({ passed: true });
    expect(GO_LIVE_TEST_APPIDS).toContain(res.body.appId);
    expect(res.body.cases.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
      ['event', true],
      ['text', true],
      ['query_auth_code', true],
    ]);
    const appId = res.body.appId as string;
    expect(h.sim.calls({ api: 'component/api_query_auth' }).filter((c) => c.appId === appId)).toHaveLength(1);
    const sent = h.sim.customMessages().filter((m) => m.appId === appId);
    expect(sent).toHaveLength(1);
    expect(sent[0].content).toMatch(/^queryauthcode@@@\w+_from_api$/);

    // The test account never becomes a tenant, and its token is not kept.
    expect(await sql(h, `SELECT 1 FROM authorizers WHERE app_id = $1`, [appId])).toHaveLength(0);
    // Only the QUERY_AUTH_CODE push is remembered (its retries must not exchange the code again), with its empty answer.
    expect(await sql(h, `SELECT answer FROM wechat_message_receipts WHERE app_id = $1`, [appId])).toEqual([{ answer: '' }]);
    const text = await metrics();
    expect(text).toMatch(/golive_test_cases_total\{case="event",outcome="replied"\} 1/);
    expect(text).toMatch(/golive_test_cases_total\{case="text",outcome="replied"\} 1/);
    expect(text).toMatch(/golive_test_cases_total\{case="query_auth_code",outcome="sent"\} 1/);
  });

  it('passive replies decrypt with the component key and carry exactly the expected content, sender and account', async () => {
    const appId = GO_LIVE_TEST_APPIDS[2];
    const now = Math.floor(Date.now() / 1000);
    const event =
      `<xml><ToUserName><![CDATA[gh_3c884a361561]]></ToUserName><FromUserName><![CDATA[ozy4qt5QUADNXORxCVipKMV9dss0]]></FromUserName>` +
      `<CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[k]]></EventKey></xml>`;
    const a = await sendMessagePush(h, craftMessagePush(h, appId, event)).expect(200);
    expect(a.headers['content-type']).toMatch(/xml/);
    const reply = openReply(h, a.text);
    expect(reply).toEqual({
      ToUserName: 'ozy4qt5QUADNXORxCVipKMV9dss0',
      FromUserName: 'gh_3c884a361561',
      CreateTime: expect.stringMatching(/^\d{10}$/),
      MsgType: 'text',
      Content: 'CLICKfrom_callback',
    });
    expect(Math.abs(Number(reply.CreateTime) - now)).toBeLessThan(60);

    const text = textMessage('gh_3c884a361561', 'oSender1', 'TESTCOMPONENT_MSG_TYPE_TEXT', '6054768590064713728');
    const b = await sendMessagePush(h, craftMessagePush(h, appId, text)).expect(200);
    expect(openReply(h, b.text)).toMatchObject({
      ToUserName: 'oSender1',
      FromUserName: 'gh_3c884a361561',
      MsgType: 'text',
      Content: 'TESTCOMPONENT_MSG_TYPE_TEXT_callback',
    });
  });

  it('QUERY_AUTH_CODE is answered at once with an empty 200; a rejected code is logged and counted, nothing leaks', async () => {
    const appId = GO_LIVE_TEST_APPIDS[0];
    await h.sim.pushTicket();
    const push = craftMessagePush(h, appId, textMessage('gh_x', 'oSender2', 'QUERY_AUTH_CODE:queryauthcode@@@notissued', '1'));
    const res = await sendMessagePush(h, push).expect(200);
    expect(res.text).toBe('');
    const deadline = Date.now() + 10_000;
    while (!/golive_test_cases_total\{case="query_auth_code",outcome="failed"\} 1/.test(await metrics())) {
      if (Date.now() > deadline) throw new Error('the failed case was not counted');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(h.logs.text()).not.toContain('queryauthcode@@@notissued');
  });

  it('a retried QUERY_AUTH_CODE push (WeChat retries unanswered pushes) exchanges the code once and sends once', async () => {
    const appId = GO_LIVE_TEST_APPIDS[1];
    await h.sim.pushTicket();
    const since = h.sim.calls().at(-1)?.seq ?? 0;
    const message = textMessage('gh_x', 'oSender3', 'QUERY_AUTH_CODE:queryauthcode@@@retried', '6054768590064713729');
    // The retry is the same message, freshly signed (another nonce), on the same or another instance.
    const answers = await Promise.all([0, 1, 2].map(() => sendMessagePush(h, craftMessagePush(h, appId, message))));
    expect(answers.map((a) => [a.status, a.text])).toEqual([
      [200, ''],
      [200, ''],
      [200, ''],
    ]);
    const deadline = Date.now() + 10_000;
    const failed = async () =>
      Number(/golive_test_cases_total\{case="query_auth_code",outcome="failed"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    // The earlier case counted one failure; the rejected code here counts at least one more.
    while ((await failed()) < 2) {
      if (Date.now() > deadline) throw new Error('the case was not counted');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sim.calls({ api: 'component/api_query_auth', since })).toHaveLength(1);
    expect(await failed()).toBe(2);
  });

  it('an ordinary text to a test account that is no test case is acknowledged with success', async () => {
    const res = await sendMessagePush(
      h,
      craftMessagePush(h, GO_LIVE_TEST_APPIDS[4], textMessage('gh_x', 'o1', 'hello', '2')),
    ).expect(200);
    expect(res.text).toBe('success');
  });
});

describe('go-live check with WECHAT_GO_LIVE_TEST_APPIDS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, goLiveTestAppIds: ['wxrehearsal000001'] }) });
  });
  afterAll(() => h?.close());

  it('answers the configured account, and no longer the built-in ones', async () => {
    const res = await request(h.sim.url).post('/__sim/go-live-check').send({ appId: 'wxrehearsal000001' }).expect(200);
    expect(res.body).toMatchObject({ passed: true, appId: 'wxrehearsal000001' });
    const builtIn = await request(h.sim.url).post('/__sim/go-live-check').send({ appId: GO_LIVE_TEST_APPIDS[1] }).expect(200);
    expect(builtIn.body.passed).toBe(false);
    expect(builtIn.body.cases[0]).toMatchObject({ name: 'event', passed: false });
  });
});
