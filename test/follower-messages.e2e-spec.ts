// Over 300 lines on purpose: every case shares one onboarded tenant, its receiver and a second instance;
// split, each file would onboard and start them again.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { craftMessagePush, sendMessagePush, textMessage } from './support/message-pushes';
import { onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { bearer, type Receiver, startReceiver, until, verify } from './support/webhook-receiver';

const FAST = { retryScheduleSeconds: [1, 1, 1], pollIntervalMs: 100, timeoutMs: 1000 };

interface Forwarded {
  type: string;
  data: { tenantId: string; appId: string; message: Record<string, unknown> };
}

/** Messages and events at the message URL, forwarded to tenants as `message.received` over real HTTP. */
describe('message URL: forwarding to tenants', () => {
  let h: Harness;
  let rx: Receiver;
  let tenant: OnboardedTenant & { secret: string; gh: string };
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, webhooks: FAST }), sim: { messageTimeoutMs: 1000 } });
    rx = await startReceiver();
    const t = await onboardTenant(h, { followers: 2 });
    const ep = await request(h.url)
      .post(`/v1/tenants/${t.id}/webhook-endpoints`)
      .set(bearer(t.apiKey))
      .send({ url: rx.url, types: ['message.received'] })
      .expect(201);
    tenant = { ...t, secret: ep.body.secret, gh: h.sim.getAuthorizer(t.appId).userName };
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  /** Every message.received the receiver got, verified with the tenant's secret. */
  const forwarded = () =>
    rx.received.map((r) => verify(tenant.secret, r) as Forwarded).filter((e) => e.type === 'message.received');
  const forwardedWith = (field: string, value: unknown) => forwarded().filter((e) => e.data.message[field] === value);
  const eventsInDb = async (needle: string) =>
    (
      await sql<{ n: string }>(h, `SELECT count(*) AS n FROM webhook_events WHERE type = 'message.received' AND body LIKE $1`, [
        `%${needle}%`,
      ])
    )[0].n;

  it('a text arrives signed with every field intact: MsgId all digits, CreateTime a number', async () => {
    const exchange = await h.sim.sendMessage(tenant.appId, { msgType: 'text', content: '你好 <b>&amp; ]]> "x"' });
    expect(exchange.reply).toMatchObject({ httpStatus: 200, body: 'success' });
    expect(exchange.attempts).toBe(1);
    const msgId = String(exchange.push.MsgId);
    expect(Number(msgId)).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    const [event] = await until(() => forwardedWith('MsgId', msgId).length > 0 && forwardedWith('MsgId', msgId));
    expect(event.data).toEqual({
      tenantId: tenant.id,
      appId: tenant.appId,
      message: {
        ToUserName: tenant.gh,
        FromUserName: exchange.push.FromUserName,
        CreateTime: exchange.push.CreateTime,
        MsgType: 'text',
        Content: '你好 <b>&amp; ]]> "x"',
        MsgId: msgId,
      },
    });
    expect(typeof event.data.message.CreateTime).toBe('number');
    // The raw body carries the digits as a JSON string, never as a rounded number.
    expect(rx.received.some((r) => r.body.includes(`"MsgId":"${msgId}"`))).toBe(true);
  });

  it('an image arrives with PicUrl, MediaId and MsgId', async () => {
    const exchange = await h.sim.sendMessage(tenant.appId, {
      msgType: 'image',
      picUrl: 'http://mmbiz.qpic.cn/x/0',
      mediaId: 'media-1',
    });
    expect(exchange.reply?.body).toBe('success');
    const msgId = String(exchange.push.MsgId);
    const [event] = await until(() => forwardedWith('MsgId', msgId).length > 0 && forwardedWith('MsgId', msgId));
    expect(event.data.message).toEqual({
      ToUserName: tenant.gh,
      FromUserName: exchange.push.FromUserName,
      CreateTime: exchange.push.CreateTime,
      MsgType: 'image',
      PicUrl: 'http://mmbiz.qpic.cn/x/0',
      MediaId: 'media-1',
      MsgId: msgId,
    });
  });

  it('events arrive with Event and EventKey; nested elements as objects, repeated ones as lists', async () => {
    const exchange = await h.sim.sendMessage(tenant.appId, { msgType: 'event', event: 'subscribe', eventKey: 'qrscene_123' });
    expect(exchange.reply?.body).toBe('success');
    const [sub] = await until(
      () => forwardedWith('EventKey', 'qrscene_123').length > 0 && forwardedWith('EventKey', 'qrscene_123'),
    );
    expect(sub.data.message).toEqual({
      ToUserName: tenant.gh,
      FromUserName: exchange.push.FromUserName,
      CreateTime: exchange.push.CreateTime,
      MsgType: 'event',
      Event: 'subscribe',
      EventKey: 'qrscene_123',
    });

    const now = Math.floor(Date.now() / 1000);
    const pics =
      `<xml><ToUserName><![CDATA[${tenant.gh}]]></ToUserName><FromUserName><![CDATA[${tenant.followers[0]}]]></FromUserName>` +
      `<CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[pic_weixin]]></Event>` +
      `<EventKey><![CDATA[6]]></EventKey><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[aaa]]></PicMd5Sum></item>` +
      `<item><PicMd5Sum><![CDATA[bbb]]></PicMd5Sum></item></PicList></SendPicsInfo>` +
      `<Latitude>23.137466</Latitude><Label></Label></xml>`;
    await sendMessagePush(h, craftMessagePush(h, tenant.appId, pics)).expect(200, 'success');
    const [event] = await until(() => forwardedWith('Event', 'pic_weixin').length > 0 && forwardedWith('Event', 'pic_weixin'));
    expect(event.data.message).toEqual({
      ToUserName: tenant.gh,
      FromUserName: tenant.followers[0],
      CreateTime: now,
      MsgType: 'event',
      Event: 'pic_weixin',
      EventKey: '6',
      SendPicsInfo: { Count: '2', PicList: { item: [{ PicMd5Sum: 'aaa' }, { PicMd5Sum: 'bbb' }] } },
      Latitude: '23.137466',
      Label: '',
    });
  });

  describe('rejected pushes: 401/400, nothing stored, nothing forwarded', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const marker = (kind: string) => `rejected-${kind}`;
    const msg = (kind: string) =>
      textMessage(tenant.gh, tenant.followers[0], marker(kind), String(9_000_000_000_000_000_000n + BigInt(kind.length)));
    const otherKey = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
    const cases: [string, () => { path: string; body: string }][] = [
      [
        'signature',
        () => {
          const p = craftMessagePush(h, tenant.appId, msg('signature'));
          return { ...p, path: p.path.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`) };
        },
      ],
      ['timestamp', () => craftMessagePush(h, tenant.appId, msg('timestamp'), { timestamp: now() - 301 })],
      ['future-timestamp', () => craftMessagePush(h, tenant.appId, msg('future-timestamp'), { timestamp: now() + 310 })],
      ['appid', () => craftMessagePush(h, tenant.appId, msg('appid'), { tailAppId: 'wxforeignplatform01' })],
      ['key', () => craftMessagePush(h, tenant.appId, msg('key'), { encodingAESKey: otherKey })],
      ['token', () => craftMessagePush(h, tenant.appId, msg('token'), { token: 'someoneelse' })],
      ['malformed', () => ({ ...craftMessagePush(h, tenant.appId, msg('malformed')), body: '<xml><Encrypt>abc</xml' })],
      [
        'doctype',
        () => {
          const p = craftMessagePush(h, tenant.appId, msg('doctype'));
          return { ...p, body: `<!DOCTYPE xml [<!ENTITY e "x">]>${p.body}` };
        },
      ],
      [
        'query',
        () => {
          const p = craftMessagePush(h, tenant.appId, msg('query'));
          return { ...p, path: p.path.replace('encrypt_type=aes', 'encrypt_type=raw') };
        },
      ],
    ];

    it.each(cases.map(([kind, build]) => [kind, build] as const))('%s', async (kind, build) => {
      const receiptsBefore = (await sql(h, `SELECT 1 FROM wechat_message_receipts WHERE app_id = $1`, [tenant.appId])).length;
      const res = await sendMessagePush(h, build());
      expect([400, 401]).toContain(res.status);
      if (['signature', 'timestamp', 'future-timestamp', 'appid', 'key', 'token'].includes(kind)) expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
      expect((await sql(h, `SELECT 1 FROM wechat_message_receipts WHERE app_id = $1`, [tenant.appId])).length).toBe(
        receiptsBefore,
      );
      expect(await eventsInDb(marker(kind))).toBe('0');
    });

    it('and none of them reached the tenant', async () => {
      // A valid message sent after them is delivered; by then any forwarded rejected one would have been too.
      const exchange = await h.sim.sendMessage(tenant.appId, { msgType: 'text', content: 'after the rejected ones' });
      await until(() => forwardedWith('MsgId', String(exchange.push.MsgId)).length > 0);
      expect(forwarded().filter((e) => String(e.data.message.Content).startsWith('rejected-'))).toEqual([]);
    });
  });

  it('a retried message is forwarded once and answered identically', async () => {
    const push = craftMessagePush(h, tenant.appId, textMessage(tenant.gh, tenant.followers[1], 'retried', '7000000000000000001'));
    const retry = craftMessagePush(
      h,
      tenant.appId,
      textMessage(tenant.gh, tenant.followers[1], 'retried', '7000000000000000001'),
    );
    const first = await sendMessagePush(h, push).expect(200);
    const again = await sendMessagePush(h, retry).expect(200);
    const replay = await sendMessagePush(h, push).expect(200);
    expect([first.text, again.text, replay.text]).toEqual(['success', 'success', 'success']);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    await until(() => forwardedWith('MsgId', '7000000000000000001').length > 0);
    expect(await eventsInDb('7000000000000000001')).toBe('1');
    expect(forwardedWith('MsgId', '7000000000000000001')).toHaveLength(1);
  });

  it('an event retried by WeChat (same sender, CreateTime, Event, EventKey) is forwarded once', async () => {
    const createTime = Math.floor(Date.now() / 1000);
    const click = (key: string) =>
      `<xml><ToUserName><![CDATA[${tenant.gh}]]></ToUserName><FromUserName><![CDATA[${tenant.followers[1]}]]></FromUserName>` +
      `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>` +
      `<EventKey><![CDATA[${key}]]></EventKey></xml>`;
    for (const key of ['menu-a', 'menu-a', 'menu-b']) {
      await sendMessagePush(h, craftMessagePush(h, tenant.appId, click(key))).expect(200, 'success');
    }
    await until(() => forwardedWith('EventKey', 'menu-a').length > 0 && forwardedWith('EventKey', 'menu-b').length > 0);
    expect(await eventsInDb('menu-a')).toBe('1');
    expect(await eventsInDb('menu-b')).toBe('1');
  });

  describe("a push whose ToUserName is not the URL's account", () => {
    it("another account's genuine push replayed to this tenant's URL: success, nothing stored or forwarded", async () => {
      const other = await onboardTenant(h, { followers: 1 });
      const otherGh = h.sim.getAuthorizer(other.appId).userName;
      const stored = await sql<{ user_name: string }>(h, `SELECT user_name FROM authorizers WHERE tenant_id = $1`, [tenant.id]);
      expect(stored[0].user_name).toBe(tenant.gh);
      const push = craftMessagePush(
        h,
        tenant.appId,
        textMessage(otherGh, other.followers[0], 'foreign-gh', '7000000000000000101'),
      );
      await sendMessagePush(h, push).expect(200, 'success');
      expect(
        await sql(h, `SELECT 1 FROM wechat_message_receipts WHERE app_id = $1 AND message_key = $2`, [
          tenant.appId,
          'msg:7000000000000000101',
        ]),
      ).toHaveLength(0);
      expect(await eventsInDb('foreign-gh')).toBe('0');
    });

    it('an account stored before its original id was kept learns it on the next info read, then checks it', async () => {
      await sql(h, `UPDATE authorizers SET user_name = NULL WHERE tenant_id = $1`, [tenant.id]);
      const push = craftMessagePush(
        h,
        tenant.appId,
        textMessage('gh_not_this_one', tenant.followers[0], 'unknown-gh', '7000000000000000102'),
      );
      await sendMessagePush(h, push).expect(200, 'success');
      expect(await eventsInDb('unknown-gh')).toBe('0');
      const stored = await sql<{ user_name: string }>(h, `SELECT user_name FROM authorizers WHERE tenant_id = $1`, [tenant.id]);
      expect(stored[0].user_name).toBe(tenant.gh);
      const exchange = await h.sim.sendMessage(tenant.appId, { msgType: 'text', content: 'after the backfill' });
      await until(() => forwardedWith('MsgId', String(exchange.push.MsgId)).length > 0);
    });
  });

  describe('across instances', () => {
    let h2: Harness;
    let proxy: Server;
    beforeAll(async () => {
      // Same database, same secrets key, same WeChat: a second instance behind the same URL.
      h2 = await startHarness({
        databaseUrl: h.databaseUrl,
        simulator: h.sim,
        config: (c) => ({ ...c, secretsKey: h.config.secretsKey, operatorApiKeys: h.config.operatorApiKeys, webhooks: FAST }),
      });
    });
    afterAll(async () => {
      h.sim.setMessageUrl(`${h.url}/wechat/authorizers/$APPID$/events`);
      await new Promise<void>((r) => {
        if (!proxy) return r();
        proxy.close(() => r());
        proxy.closeAllConnections();
      });
      await h2?.close();
    });

    it('a retry reaching the other instance gets the same answer and is not forwarded again', async () => {
      const push = craftMessagePush(
        h,
        tenant.appId,
        textMessage(tenant.gh, tenant.followers[0], 'two instances', '7000000000000000002'),
      );
      const a = await sendMessagePush(h, push).expect(200);
      const b = await sendMessagePush(h2, push).expect(200);
      expect(b.text).toBe(a.text);
      await until(() => forwardedWith('MsgId', '7000000000000000002').length > 0);
      expect(await eventsInDb('7000000000000000002')).toBe('1');
    });

    it("WeChat's own retry (first attempt unanswered for 1 s) lands on the other instance: one event, answer success", async () => {
      // A load balancer that holds the first attempt longer than WeChat waits, then hands it to
      // instance 1; the retries go to instance 2.
      let n = 0;
      let heldDone: Promise<void> | undefined;
      proxy = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const target = n++ === 0 ? h : h2;
          const forward = () =>
            new Promise<void>((resolve) => {
              const url = new URL(req.url!, target.url);
              const out = httpRequest(url, { method: 'POST', headers: { 'content-type': 'text/xml' } }, (answer) => {
                const body: Buffer[] = [];
                answer.on('data', (c: Buffer) => body.push(c));
                answer.on('end', () => {
                  if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
                  resolve();
                });
              });
              out.end(Buffer.concat(chunks));
            });
          if (target === h) heldDone = new Promise((r) => setTimeout(r, 1500)).then(forward);
          else void forward();
        });
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      h.sim.setMessageUrl(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/wechat/authorizers/$APPID$/events`);

      const exchange = await h.sim.sendMessage(tenant.appId, { msgType: 'text', content: 'held by the balancer' });
      expect(exchange.attempts).toBe(2);
      expect(exchange.reply).toMatchObject({ httpStatus: 200, body: 'success' });
      await heldDone; // the first attempt reached instance 1 late, after instance 2 handled the retry
      const msgId = String(exchange.push.MsgId);
      await until(() => forwardedWith('MsgId', msgId).length > 0);
      expect(await eventsInDb(msgId)).toBe('1');
    });
  });

  it('no forwarding for a revoked tenant, nor for an account bound to no tenant; both answered success and counted', async () => {
    const revoked = await onboardTenant(h, { followers: 1 });
    const rx2 = await startReceiver();
    try {
      await request(h.url)
        .post(`/v1/tenants/${revoked.id}/webhook-endpoints`)
        .set(bearer(revoked.apiKey))
        .send({ url: rx2.url })
        .expect(201);
      await h.sim.revoke(revoked.appId);
      await until(
        async () =>
          (await sql<{ status: string }>(h, `SELECT status FROM tenants WHERE id = $1`, [revoked.id]))[0].status === 'revoked',
      );
      const exchange = await h.sim.sendMessage(revoked.appId, { msgType: 'text', content: 'to a revoked tenant' });
      expect(exchange.reply?.body).toBe('success');

      const stranger = await h.sim.createAuthorizer({});
      const toStranger = await h.sim.sendMessage(stranger.appId, { msgType: 'event', event: 'subscribe' });
      expect(toStranger.reply?.body).toBe('success');

      expect(
        await sql(h, `SELECT 1 FROM webhook_events WHERE tenant_id = $1 AND type = 'message.received'`, [revoked.id]),
      ).toHaveLength(0);
      expect(
        await sql(h, `SELECT 1 FROM wechat_message_receipts WHERE app_id IN ($1, $2)`, [revoked.appId, stranger.appId]),
      ).toHaveLength(0);
      expect(await eventsInDb('to a revoked tenant')).toBe('0');
      const metrics = (await request(h.url).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/wechat_messages_received_total\{tenant_id="",outcome="no_active_tenant"\} 2/);
      expect(metrics).toContain(`wechat_messages_received_total{tenant_id="${tenant.id}",outcome="forwarded"}`);
      expect(metrics).toContain(`wechat_messages_received_total{tenant_id="${tenant.id}",outcome="duplicate"}`);
    } finally {
      await rx2.close();
    }
  });
});
