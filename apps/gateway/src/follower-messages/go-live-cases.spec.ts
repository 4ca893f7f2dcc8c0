import { parseWeChatXmlTree } from '@app/wechat';
import { GO_LIVE_TEST_APPIDS, goLiveCase, queryAuthCodeAnswer } from './go-live-cases';

const push = (fields: string) => parseWeChatXmlTree(`<xml><FromUserName>o1</FromUserName>${fields}</xml>`);

describe('go-live cases (contract section 7)', () => {
  it('lists WeChat’s five test Official Accounts', () => {
    expect(GO_LIVE_TEST_APPIDS).toEqual([
      'wx570bc396a51b8ff8',
      'wx9252c5e0bb1836fc',
      'wx8e1097c5bc82cde9',
      'wx14550af28c71a144',
      'wxa35b9c23cfe664eb',
    ]);
  });

  it.each([
    ['an event', '<MsgType>event</MsgType><Event>LOCATION</Event>', { name: 'event', reply: 'LOCATIONfrom_callback' }],
    ['any event name', '<MsgType>event</MsgType><Event>subscribe</Event>', { name: 'event', reply: 'subscribefrom_callback' }],
    [
      'the test text',
      '<MsgType>text</MsgType><Content>TESTCOMPONENT_MSG_TYPE_TEXT</Content>',
      { name: 'text', reply: 'TESTCOMPONENT_MSG_TYPE_TEXT_callback' },
    ],
    [
      'QUERY_AUTH_CODE',
      '<MsgType>text</MsgType><Content>QUERY_AUTH_CODE:queryauthcode@@@abc</Content>',
      { name: 'query_auth_code', authCode: 'queryauthcode@@@abc' },
    ],
    ['QUERY_AUTH_CODE without a code', '<MsgType>text</MsgType><Content>QUERY_AUTH_CODE:</Content>', { name: 'unknown' }],
    ['another text', '<MsgType>text</MsgType><Content>TESTCOMPONENT_MSG_TYPE_TEXTX</Content>', { name: 'unknown' }],
    ['an event without Event', '<MsgType>event</MsgType>', { name: 'unknown' }],
    ['an image', '<MsgType>image</MsgType><PicUrl>u</PicUrl>', { name: 'unknown' }],
  ])('%s', (_name, fields, expected) => {
    expect(goLiveCase(push(fields))).toEqual(expected);
  });

  it('the custom message after QUERY_AUTH_CODE is the code followed by _from_api', () => {
    expect(queryAuthCodeAnswer('queryauthcode@@@abc')).toBe('queryauthcode@@@abc_from_api');
  });
});
