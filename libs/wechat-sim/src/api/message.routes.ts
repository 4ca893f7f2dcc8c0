import { WeChatApiError } from '../errors';
import { stringField, type ApiRoute } from './route';

const MSG_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'mpnews',
  'mpnewsarticle',
  'msgmenu',
  'wxcard',
  'miniprogrampage',
];

/**
 * Customer-service messages (contract section 8), with the account's own token and set 1 or 54.
 * What an account sent is kept (SimState.customMessages) so tests and the go-live check can see
 * it arrived. The 48-hour interaction window (45015) is not modelled: every follower may be written to.
 */
export function messageRoutes(): ApiRoute[] {
  return [
    {
      name: 'message/custom/send',
      auth: { param: 'access_token', kinds: ['authorizer'] },
      permissionSets: [1, 54],
      handle(call) {
        const account = call.authorizer!;
        const touser = stringField(call.body, 'touser');
        if (!touser || !call.sim.state.authorizers.knowsOpenId(account, touser)) throw new WeChatApiError(40003);
        const msgtype = stringField(call.body, 'msgtype');
        if (!msgtype || !MSG_TYPES.includes(msgtype)) throw new WeChatApiError(40008);
        let content: string | undefined;
        if (msgtype === 'text') {
          const text = call.body.text as Record<string, unknown> | undefined;
          content = text && typeof text === 'object' ? stringField(text, 'content') : undefined;
          if (!content) throw new WeChatApiError(44004);
        }
        const sent = call.sim.state.customMessages;
        sent.push({ appId: account.appId, touser, msgtype, content, at: call.sim.clock.now() });
        if (sent.length > 10_000) sent.shift();
        return { errcode: 0, errmsg: 'ok' };
      },
    },
  ];
}
