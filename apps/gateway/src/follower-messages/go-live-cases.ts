import type { WeChatXmlObject } from '@app/wechat';

/**
 * The Official Accounts WeChat's go-live check (全网发布接入检测) uses; it picks one at random.
 * WECHAT_GO_LIVE_TEST_APPIDS replaces the list should WeChat change it.
 */
export const GO_LIVE_TEST_APPIDS: readonly string[] = Object.freeze([
  'wx570bc396a51b8ff8',
  'wx9252c5e0bb1836fc',
  'wx8e1097c5bc82cde9',
  'wx14550af28c71a144',
  'wxa35b9c23cfe664eb',
]);

export const GO_LIVE_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const QUERY_AUTH_CODE_PREFIX = 'QUERY_AUTH_CODE:';

/** The metric label of each case. */
export type GoLiveCaseName = 'event' | 'text' | 'query_auth_code' | 'unknown';

export type GoLiveCase =
  { name: 'event' | 'text'; reply: string } | { name: 'query_auth_code'; authCode: string } | { name: 'unknown' };

/** What the check expects for one push to a test account (contract section 7). */
export function goLiveCase(message: WeChatXmlObject): GoLiveCase {
  const { MsgType, Event, Content } = message;
  if (MsgType === 'event' && typeof Event === 'string' && Event !== '') {
    return { name: 'event', reply: `${Event}from_callback` };
  }
  if (MsgType === 'text' && Content === GO_LIVE_TEXT) return { name: 'text', reply: `${GO_LIVE_TEXT}_callback` };
  if (MsgType === 'text' && typeof Content === 'string' && Content.startsWith(QUERY_AUTH_CODE_PREFIX)) {
    const authCode = Content.slice(QUERY_AUTH_CODE_PREFIX.length).trim();
    if (authCode !== '') return { name: 'query_auth_code', authCode };
  }
  return { name: 'unknown' };
}

/** The message the check waits for on the custom-send API after a QUERY_AUTH_CODE push. */
export const queryAuthCodeAnswer = (authCode: string) => `${authCode}_from_api`;
