import type { AuthorizerAccount } from '../authorizers';
import { WeChatApiError } from '../errors';
import type { ApiCall, ApiRoute } from './route';

const ACCESS_TOKEN = { param: 'access_token', kinds: ['authorizer'] } as const;
const USER_PAGE_SIZE = 10_000;

// Menus per account, beside the account record (dropped with it when the simulator resets).
const menus = new WeakMap<AuthorizerAccount, { button: unknown[] }>();

function followerOf(call: ApiCall, openid: unknown): string {
  if (typeof openid !== 'string' || !call.sim.state.authorizers.knowsOpenId(call.authorizer!, openid)) {
    throw new WeChatApiError(40003, 'openid not of this account');
  }
  return openid;
}

/** A few Official Account APIs beyond the blacklist, as the gateway's proxy reaches them (contract section 8). */
export function officialAccountRoutes(): ApiRoute[] {
  return [
    {
      name: 'user/info',
      auth: ACCESS_TOKEN,
      permissionSets: [2],
      methods: ['GET'],
      body: 'none',
      handle(call) {
        const openid = followerOf(call, call.query.openid);
        const index = [...call.authorizer!.followers].indexOf(openid);
        return {
          subscribe: call.authorizer!.followers.has(openid) ? 1 : 0,
          openid,
          language: typeof call.query.lang === 'string' ? call.query.lang : 'zh_CN',
          subscribe_time: 1_700_000_000 + Math.max(0, index),
          remark: '',
          groupid: 0,
          tagid_list: [],
          subscribe_scene: 'ADD_SCENE_QR_CODE',
          qr_scene: 0,
          qr_scene_str: '',
        };
      },
    },
    {
      name: 'user/get',
      auth: ACCESS_TOKEN,
      permissionSets: [2],
      methods: ['GET'],
      body: 'none',
      handle(call) {
        const all = [...call.authorizer!.followers];
        const next = call.query.next_openid;
        const start = typeof next === 'string' && next !== '' ? all.indexOf(next) + 1 : 0;
        if (typeof next === 'string' && next !== '' && start === 0) throw new WeChatApiError(40003, 'next_openid');
        const page = all.slice(start, start + USER_PAGE_SIZE);
        return {
          total: all.length,
          count: page.length,
          ...(page.length > 0 ? { data: { openid: page } } : {}),
          next_openid: page.length > 0 ? page[page.length - 1] : '',
        };
      },
    },
    {
      name: 'menu/create',
      auth: ACCESS_TOKEN,
      permissionSets: [15],
      handle(call) {
        const button = call.body.button;
        if (!Array.isArray(button) || button.length === 0 || button.length > 3) throw new WeChatApiError(40016);
        menus.set(call.authorizer!, { button });
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    {
      name: 'menu/get',
      auth: ACCESS_TOKEN,
      permissionSets: [15],
      methods: ['GET'],
      body: 'none',
      handle(call) {
        const menu = menus.get(call.authorizer!);
        if (!menu) throw new WeChatApiError(46003);
        return { menu };
      },
    },
  ];
}
