import { WeChatMessageCrypto, buildWeChatXml, parseWeChatXml } from '@app/wechat';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMPONENT, startHarness, type Harness } from './support';

interface ReceivedMessage {
  appId: string;
  query: Record<string, string>;
  outer: Record<string, string>;
  fields: Record<string, string>;
}

type Answer = (m: ReceivedMessage, n: number) => string | 'hang' | Promise<string>;

/**
 * Plays a platform's message URL: checks each push with the production crypto (independent of the
 * simulator's) and answers with `answer`.
 */
class MessageEndpoint {
  readonly received: ReceivedMessage[] = [];
  readonly problems: string[] = [];
  readonly crypto = new WeChatMessageCrypto({
    token: COMPONENT.componentToken,
    encodingAESKey: COMPONENT.encodingAESKey,
    appId: COMPONENT.componentAppId,
  });
  private server!: Server;
  private readonly hanging = new Set<ServerResponse>();
  template = '';

  constructor(public answer: Answer = () => 'success') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', async () => {
        const url = new URL(req.url!, 'http://x');
        const query = Object.fromEntries(url.searchParams) as Record<string, string>;
        const appId = /^\/wechat\/authorizers\/([^/]+)\/events$/.exec(url.pathname)?.[1] ?? '';
        try {
          const outer = parseWeChatXml(raw);
          const { message } = this.crypto.decryptVerified(query.msg_signature, query.timestamp, query.nonce, outer.Encrypt);
          const m = { appId, query, outer, fields: parseWeChatXml(message) };
          const n = this.received.push(m) - 1;
          const answer = await this.answer(m, n);
          if (answer === 'hang') {
            this.hanging.add(res);
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
        } catch (err) {
          this.problems.push(String((err as Error).message));
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.template = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wechat/authorizers/$APPID$/events`;
    return this;
  }

  /** A passive text reply to `m`, as a platform builds it. */
  reply(m: ReceivedMessage, content: string): string {
    return this.crypto.encryptReply(
      buildWeChatXml({
        ToUserName: m.fields.FromUserName,
        FromUserName: m.fields.ToUserName,
        CreateTime: 1,
        MsgType: 'text',
        Content: content,
      }),
    );
  }

  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

describe('follower messages, custom send and the go-live check (contract sections 6–8)', () => {
  let h: Harness;
  let endpoint: MessageEndpoint;
  beforeEach(async () => {
    endpoint = await new MessageEndpoint().start();
    // Short enough that the retry tests are quick, long enough that an answer sent at once is never
    // late on a machine running other suites beside this one (at 200 ms one was, and was retried).
    h = await startHarness({ messageUrl: endpoint.template, messageTimeoutMs: 1000 });
  });
  afterEach(async () => {
    await h.close();
    await endpoint.close();
  });

  it('POST /__sim/authorizers/:appId/messages pushes an encrypted text to the URL with the appid, as WeChat does', async () => {
    const account = await h.sim.createAuthorizer({ authorize: true, followers: ['oFollower1'] });
    const res = await h.http.post(`/__sim/authorizers/${account.appId}/messages`, { msgType: 'text', content: 'hello <3' });
    expect(res.status).toBe(200);
    expect(endpoint.problems).toEqual([]);
    const [m] = endpoint.received;
    expect(m.appId).toBe(account.appId);
    expect(m.query).toMatchObject({
      openid: 'oFollower1',
      encrypt_type: 'aes',
      signature: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(Object.keys(m.outer)).toEqual(['ToUserName', 'Encrypt']);
    expect(m.outer.ToUserName).toBe(account.userName);
    expect(m.fields).toEqual({
      ToUserName: account.userName,
      FromUserName: 'oFollower1',
      CreateTime: String(Math.floor(h.clock.ms / 1000)),
      MsgType: 'text',
      Content: 'hello <3',
      MsgId: expect.stringMatching(/^\d{19,20}$/),
    });
    expect(Number(m.fields.MsgId)).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(res.data).toMatchObject({
      appId: account.appId,
      attempts: 1,
      push: { ...m.fields, CreateTime: Number(m.fields.CreateTime) },
      reply: { httpStatus: 200, body: 'success' },
    });
  });

  it('events carry Event and EventKey and no MsgId; images PicUrl, MediaId and MsgId', async () => {
    const account = await h.sim.createAuthorizer({ authorize: true });
    await h.sim.sendMessage(account.appId, { msgType: 'event', event: 'CLICK', eventKey: 'menu-1', fromUser: 'oNew' });
    await h.sim.sendMessage(account.appId, { msgType: 'image', mediaId: 'm1' });
    expect(endpoint.received[0].fields).toEqual({
      ToUserName: account.userName,
      FromUserName: 'oNew',
      CreateTime: expect.any(String),
      MsgType: 'event',
      Event: 'CLICK',
      EventKey: 'menu-1',
    });
    expect(endpoint.received[1].fields).toMatchObject({
      MsgType: 'image',
      MediaId: 'm1',
      PicUrl: expect.any(String),
      MsgId: expect.any(String),
    });
    // Whoever writes follows the account.
    expect(h.sim.getAuthorizer(account.appId).followers).toContain('oNew');
  });

  it('retries like WeChat when no answer comes in time: three more attempts of the same message', async () => {
    const account = await h.sim.createAuthorizer({ authorize: true });
    endpoint.answer = () => 'hang';
    const lost = await h.sim.sendMessage(account.appId, { msgType: 'text', content: 'x' });
    expect(lost).toMatchObject({ attempts: 4, reply: null, error: 'no answer within 1000 ms' });
    expect(endpoint.received).toHaveLength(4);
    expect(new Set(endpoint.received.map((m) => m.fields.MsgId)).size).toBe(1);

    endpoint.answer = (_m, n) => (n < 6 ? 'hang' : 'success');
    const late = await h.sim.sendMessage(account.appId, { msgType: 'text', content: 'y' });
    expect(late).toMatchObject({ attempts: 3, reply: { httpStatus: 200, body: 'success' } });
  });

  it('a passive reply is verified and decrypted in the answer; a forged one is reported', async () => {
    const account = await h.sim.createAuthorizer({ authorize: true });
    endpoint.answer = (m) => endpoint.reply(m, 'echo: ' + m.fields.Content);
    const ok = await h.sim.sendMessage(account.appId, { msgType: 'text', content: 'hi', fromUser: 'oA' });
    expect(ok.reply?.decrypted).toEqual({
      ToUserName: 'oA',
      FromUserName: account.userName,
      CreateTime: '1',
      MsgType: 'text',
      Content: 'echo: hi',
    });
    endpoint.answer = (m) => endpoint.reply(m, 'x').replace(/<MsgSignature><!\[CDATA\[[0-9a-f]/, '<MsgSignature><![CDATA[z');
    const forged = await h.sim.sendMessage(account.appId, { msgType: 'text', content: 'hi' });
    expect(forged.reply).toMatchObject({ problem: 'MsgSignature does not verify' });
    expect(forged.reply?.decrypted).toBeUndefined();
  });

  it('control input is checked: unknown account 404, bad fields 400, no message URL 409', async () => {
    const account = await h.sim.createAuthorizer({});
    const post = (appId: string, body: unknown) => h.http.post(`/__sim/authorizers/${appId}/messages`, body);
    expect((await post('wxnobody', { msgType: 'text', content: 'x' })).status).toBe(404);
    expect((await post(account.appId, {})).status).toBe(400);
    expect((await post(account.appId, { msgType: 'voice' })).status).toBe(400);
    expect((await post(account.appId, { msgType: 'text' })).data.message).toMatch(/content is required/);
    expect((await post(account.appId, { msgType: 'event' })).data.message).toMatch(/event is required/);
    expect((await post(account.appId, { msgType: 'text', content: 'x', colour: 1 })).status).toBe(400);
    expect((await h.http.put('/__sim/message-url', { url: 'not a url' })).status).toBe(400);
    expect((await h.http.get('/__sim')).data.messageUrl).toBe(endpoint.template);

    const unwired = await startHarness();
    try {
      const other = await unwired.sim.createAuthorizer({});
      const res = await unwired.http.post(`/__sim/authorizers/${other.appId}/messages`, { msgType: 'text', content: 'x' });
      expect(res.status).toBe(409);
      expect((await unwired.http.post('/__sim/go-live-check', {})).status).toBe(409);
      await unwired.http.put('/__sim/message-url', { url: endpoint.template });
      expect(
        (await unwired.http.post(`/__sim/authorizers/${other.appId}/messages`, { msgType: 'text', content: 'x' })).status,
      ).toBe(200);
    } finally {
      await unwired.close();
    }
  });

  describe('message/custom/send', () => {
    const send = (token: string, body: unknown) => h.call('message/custom/send', body, { access_token: token });
    const text = (touser: string, content = 'hello') => ({ touser, msgtype: 'text', text: { content } });

    it('sends with the account token to a follower and records it', async () => {
      const { appId, accessToken } = await h.onboard({ followers: ['oF'] });
      expect(await send(accessToken, text('oF'))).toEqual({ errcode: 0, errmsg: 'ok' });
      expect((await h.http.get('/__sim/custom-messages')).data).toEqual([
        { appId, touser: 'oF', msgtype: 'text', content: 'hello', at: h.clock.ms },
      ]);
    });

    it('answers WeChat’s errcodes: token 41001/40001, sets 61007, openid 40003, type 40008, empty content 44004', async () => {
      const { accessToken } = await h.onboard({ followers: ['oF'] });
      const { accessToken: noSets } = await h.onboard({ followers: ['oG'], permissionSets: [2] });
      expect((await h.call('message/custom/send', text('oF'))).errcode).toBe(41001);
      expect((await send('nonsense', text('oF'))).errcode).toBe(40001);
      expect((await send(noSets, text('oG'))).errcode).toBe(61007);
      expect((await send(accessToken, text('oStranger'))).errcode).toBe(40003);
      expect((await send(accessToken, { touser: 'oF', msgtype: 'telegram' })).errcode).toBe(40008);
      expect((await send(accessToken, text('oF', ''))).errcode).toBe(44004);
      expect(h.sim.customMessages()).toEqual([]);
    });
  });

  describe('POST /__sim/go-live-check', () => {
    /** A platform doing what the check expects, through the simulator's own APIs. */
    const compliant: Answer = async (m) => {
      const { MsgType, Event, Content, FromUserName } = m.fields;
      if (MsgType === 'event') return endpoint.reply(m, `${Event}from_callback`);
      if (Content === 'TESTCOMPONENT_MSG_TYPE_TEXT') return endpoint.reply(m, 'TESTCOMPONENT_MSG_TYPE_TEXT_callback');
      const code = Content.slice('QUERY_AUTH_CODE:'.length);
      setImmediate(async () => {
        const token = await h.componentToken();
        const auth = await h.call(
          'component/api_query_auth',
          { component_appid: COMPONENT.componentAppId, authorization_code: code },
          { component_access_token: token },
        );
        await h.call(
          'message/custom/send',
          { touser: FromUserName, msgtype: 'text', text: { content: `${code}_from_api` } },
          { access_token: auth.authorization_info.authorizer_access_token },
        );
      });
      return '';
    };

    it('passes a platform that answers the three cases as WeChat expects', async () => {
      endpoint.answer = compliant;
      const res = await h.http.post('/__sim/go-live-check', {});
      expect(res.status).toBe(200);
      expect(res.data.passed).toBe(true);
      expect(res.data.cases.map((c: { name: string }) => c.name)).toEqual(['event', 'text', 'query_auth_code']);
      expect(endpoint.received.map((m) => m.appId)).toEqual([res.data.appId, res.data.appId, res.data.appId]);
      expect(endpoint.received[0].fields).toMatchObject({ MsgType: 'event', Event: 'LOCATION' });
      expect(endpoint.received[2].fields.Content).toMatch(/^QUERY_AUTH_CODE:queryauthcode@@@/);
    });

    it('fails, case by case with the reason, a platform that only says success', async () => {
      const res = await h.http.post('/__sim/go-live-check', { appId: 'wx570bc396a51b8ff8' });
      expect(res.data).toMatchObject({
        passed: false,
        appId: 'wx570bc396a51b8ff8',
        cases: [
          { name: 'event', passed: false, detail: expect.stringMatching(/not an encrypted reply: success/) },
          { name: 'text', passed: false, detail: expect.stringMatching(/not an encrypted reply/) },
          { name: 'query_auth_code', passed: false, detail: expect.stringMatching(/expected an empty 200/) },
        ],
      });
    });

    it('fails a reply with the wrong content or addressed to the wrong user', async () => {
      endpoint.answer = (m) =>
        m.fields.MsgType === 'event'
          ? endpoint.reply({ ...m, fields: { ...m.fields, FromUserName: 'oOther' } }, `${m.fields.Event}from_callback`)
          : endpoint.reply(m, 'nope');
      const res = await h.http.post('/__sim/go-live-check', {});
      expect(res.data.cases[0]).toMatchObject({
        passed: false,
        detail: expect.stringMatching(/ToUserName oOther is not the sender/),
      });
      expect(res.data.cases[1]).toMatchObject({ passed: false, detail: expect.stringMatching(/Content "nope"/) });
    });
  });
});
