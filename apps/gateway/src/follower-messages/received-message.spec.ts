import { parseWeChatXmlTree } from '@app/wechat';
import { messageKey, toReceivedMessage } from './received-message';

const read = (xml: string) => parseWeChatXmlTree(xml);

describe('toReceivedMessage (decrypted XML → the message of message.received)', () => {
  it('keeps WeChat’s field names; CreateTime becomes a number, MsgId keeps every digit as a string', () => {
    const message = toReceivedMessage(
      read(
        '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oA]]></FromUserName>' +
          '<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
          '<Content><![CDATA[ a <b> ]]></Content><MsgId>18446744073709551615</MsgId></xml>',
      ),
    );
    expect(message).toEqual({
      ToUserName: 'gh_1',
      FromUserName: 'oA',
      CreateTime: 1348831860,
      MsgType: 'text',
      Content: ' a <b> ',
      MsgId: '18446744073709551615',
    });
    expect(JSON.stringify(message)).toContain('"MsgId":"18446744073709551615"');
  });

  it('location and event fields stay strings exactly as written; nested elements become objects', () => {
    const message = toReceivedMessage(
      read(
        '<xml><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>LOCATION</Event>' +
          '<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>' +
          '<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo></xml>',
      ),
    );
    expect(message).toEqual({
      CreateTime: 1,
      MsgType: 'event',
      Event: 'LOCATION',
      Latitude: '23.137466',
      Longitude: '113.352425',
      Precision: '119.385040',
      ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' },
    });
  });

  it('a CreateTime that is not a plain number is passed on as written', () => {
    expect(toReceivedMessage(read('<xml><CreateTime>soon</CreateTime></xml>'))).toEqual({ CreateTime: 'soon' });
  });
});

describe('messageKey (what WeChat’s retries share)', () => {
  const event = (from: string, time: number, ev: string, key?: string) =>
    read(
      `<xml><FromUserName>${from}</FromUserName><CreateTime>${time}</CreateTime><MsgType>event</MsgType>` +
        `<Event>${ev}</Event>${key === undefined ? '' : `<EventKey>${key}</EventKey>`}</xml>`,
    );

  it('a message is identified by its MsgId alone', () => {
    expect(messageKey(read('<xml><FromUserName>a</FromUserName><MsgId>123</MsgId></xml>'))).toBe('msg:123');
    expect(messageKey(read('<xml><FromUserName>b</FromUserName><MsgId>123</MsgId></xml>'))).toBe('msg:123');
  });

  it('an event by sender, CreateTime, Event and EventKey when present', () => {
    const base = messageKey(event('a', 1, 'CLICK', 'k'));
    expect(messageKey(event('a', 1, 'CLICK', 'k'))).toBe(base);
    expect(messageKey(event('b', 1, 'CLICK', 'k'))).not.toBe(base);
    expect(messageKey(event('a', 2, 'CLICK', 'k'))).not.toBe(base);
    expect(messageKey(event('a', 1, 'VIEW', 'k'))).not.toBe(base);
    expect(messageKey(event('a', 1, 'CLICK', 'other'))).not.toBe(base);
    expect(messageKey(event('a', 1, 'CLICK'))).not.toBe(base);
  });

  it('fits the key column whatever the EventKey’s length', () => {
    expect(messageKey(event('a', 1, 'VIEW', `https://example.com/${'x'.repeat(2000)}`)).length).toBeLessThanOrEqual(128);
  });
});
