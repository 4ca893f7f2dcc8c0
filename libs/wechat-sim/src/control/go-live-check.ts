import type { SimCore } from '../core';
import { ControlError } from '../errors';
import type { MessageExchange } from '../follower-messages';
import { APP_ID, type FieldReaders, readRequest } from './input';
import type { MessagesControl } from './messages.control';

/** The Official Accounts WeChat runs its go-live check (全网发布接入检测) with; it picks one at random. */
export const GO_LIVE_TEST_APPIDS = [
  'wx570bc396a51b8ff8',
  'wx9252c5e0bb1836fc',
  'wx8e1097c5bc82cde9',
  'wx14550af28c71a144',
  'wxa35b9c23cfe664eb',
] as const;

/** WeChat waits this long for the custom message after a QUERY_AUTH_CODE push. */
const CUSTOM_SEND_DEADLINE_MS = 10_000;

export interface GoLiveCheckRequest {
  /** One of the test appids (or any account, to rehearse); random among the five when omitted. */
  appId?: string;
}

export interface GoLiveCase {
  name: 'event' | 'text' | 'query_auth_code';
  passed: boolean;
  detail: string;
}

export interface GoLiveCheckResult {
  passed: boolean;
  appId: string;
  cases: GoLiveCase[];
}

const GO_LIVE_CHECK: FieldReaders<GoLiveCheckRequest> = {
  appId: (i, k) => i.string(k, { pattern: APP_ID }),
};

/**
 * Runs the go-live check's three cases against the message URL with one test account, as WeChat
 * does: an event expects the passive reply `<Event>from_callback`; the text
 * TESTCOMPONENT_MSG_TYPE_TEXT expects `TESTCOMPONENT_MSG_TYPE_TEXT_callback`; `QUERY_AUTH_CODE:<code>`
 * expects an empty answer, then within 10 s a custom message `<code>_from_api` to the sender, sent
 * with the token api_query_auth gives for that code. A verify ticket is pushed first (if an event
 * URL is set) so the platform can get its component token.
 */
export async function runGoLiveCheck(sim: SimCore, messages: MessagesControl, body: unknown): Promise<GoLiveCheckResult> {
  const req = readRequest(body, GO_LIVE_CHECK);
  if (!sim.state.settings.messageUrl)
    throw new ControlError(409, 'no message URL set (SIM_MESSAGE_URL or PUT /__sim/message-url)');
  const appId = req.appId ?? GO_LIVE_TEST_APPIDS[Math.floor(sim.opts.random() * GO_LIVE_TEST_APPIDS.length)];
  const account =
    sim.state.authorizers.get(appId) ??
    sim.state.authorizers.create({ appId, nickName: 'WeChat go-live test account', followerCount: 1 });
  if (sim.state.settings.eventUrl) await sim.pushTicket();
  if (account.followers.size === 0) sim.state.authorizers.addGeneratedFollowers(account, 1);
  const follower = account.followers.values().next().value!;
  const send = (fields: Parameters<MessagesControl['message']>[1]) =>
    sim.messages.send(appId, messages.message(account, { ...fields, fromUser: follower }), { retries: 0 });

  const passiveCase = async (name: 'event' | 'text', exchange: MessageExchange, expected: string): Promise<GoLiveCase> => {
    const reply = exchange.reply;
    if (!reply) return { name, passed: false, detail: exchange.error ?? 'no answer' };
    if (reply.httpStatus !== 200) return { name, passed: false, detail: `HTTP ${reply.httpStatus}` };
    if (!reply.decrypted)
      return { name, passed: false, detail: reply.problem ?? `not an encrypted reply: ${reply.body.slice(0, 100)}` };
    const r = reply.decrypted;
    const problems = [
      r.MsgType !== 'text' && `MsgType ${r.MsgType}`,
      r.Content !== expected && `Content ${JSON.stringify(r.Content)}, expected ${JSON.stringify(expected)}`,
      r.ToUserName !== follower && `ToUserName ${r.ToUserName} is not the sender`,
      r.FromUserName !== account.userName && `FromUserName ${r.FromUserName} is not the account's ${account.userName}`,
      !/^\d+$/.test(r.CreateTime ?? '') && 'CreateTime missing',
    ].filter(Boolean);
    return { name, passed: problems.length === 0, detail: problems.length ? problems.join('; ') : `replied ${expected}` };
  };

  const cases: GoLiveCase[] = [];
  cases.push(await passiveCase('event', await send({ msgType: 'event', event: 'LOCATION' }), 'LOCATIONfrom_callback'));
  cases.push(
    await passiveCase(
      'text',
      await send({ msgType: 'text', content: 'TESTCOMPONENT_MSG_TYPE_TEXT' }),
      'TESTCOMPONENT_MSG_TYPE_TEXT_callback',
    ),
  );
  cases.push(await queryAuthCodeCase(sim, appId, follower, send));
  return { passed: cases.every((c) => c.passed), appId, cases };
}

async function queryAuthCodeCase(
  sim: SimCore,
  appId: string,
  follower: string,
  send: (fields: { msgType: 'text'; content: string }) => Promise<MessageExchange>,
): Promise<GoLiveCase> {
  const name = 'query_auth_code';
  const account = sim.state.authorizers.get(appId)!;
  const { authCode } = sim.grantResult(sim.state.grantAuthorization(appId, account.defaultPermissionSets));
  const since = sim.state.customMessages.length;
  const started = Date.now();
  const exchange = await send({ msgType: 'text', content: `QUERY_AUTH_CODE:${authCode}` });
  if (!exchange.reply) return { name, passed: false, detail: exchange.error ?? 'no answer' };
  if (exchange.reply.httpStatus !== 200 || exchange.reply.body !== '') {
    return {
      name,
      passed: false,
      detail: `expected an empty 200, got HTTP ${exchange.reply.httpStatus} ${JSON.stringify(exchange.reply.body.slice(0, 100))}`,
    };
  }
  const expected = `${authCode}_from_api`;
  for (;;) {
    const sent = sim.state.customMessages.slice(since).filter((m) => m.appId === appId);
    if (sent.some((m) => m.touser === follower && m.msgtype === 'text' && m.content === expected)) {
      return { name, passed: true, detail: `custom message arrived after ${Date.now() - started} ms` };
    }
    if (Date.now() - started > CUSTOM_SEND_DEADLINE_MS) {
      const seen = sent.map((m) => `${m.msgtype} to ${m.touser}: ${JSON.stringify(m.content)}`).join(', ');
      return {
        name,
        passed: false,
        detail: `no custom message "<code>_from_api" to the sender within 10 s${seen ? ` (got ${seen})` : ''}`,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
