import { WeChatXmlError } from '../errors/xml-error';
import { buildWeChatXml, DEFAULT_MAX_XML_BYTES, parseWeChatXml, parseWeChatXmlTree } from './wechat-xml';

function xmlError(fn: () => unknown): WeChatXmlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WeChatXmlError);
    expect((err as WeChatXmlError).code).toBe('WECHAT_XML_INVALID');
    return err as WeChatXmlError;
  }
  throw new Error('expected a WeChatXmlError');
}

describe('parseWeChatXml', () => {
  it('parses a component_verify_ticket push, keeping numbers as strings', () => {
    const xml = `<xml>
<AppId><![CDATA[wx0123456789abcdef]]></AppId>
<CreateTime>1413192605</CreateTime>
<InfoType><![CDATA[component_verify_ticket]]></InfoType>
<ComponentVerifyTicket><![CDATA[ticket@@@abc]]></ComponentVerifyTicket>
</xml>`;
    expect(parseWeChatXml(xml)).toEqual({
      AppId: 'wx0123456789abcdef',
      CreateTime: '1413192605',
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@abc',
    });
  });

  it('keeps 64-bit ids exact and leading zeros', () => {
    const fields = parseWeChatXml('<xml><MsgId>6054768590064713728</MsgId><Code>00123</Code></xml>');
    expect(fields).toEqual({ MsgId: '6054768590064713728', Code: '00123' });
  });

  it('takes CDATA verbatim: whitespace, markup-looking text and entities stay as sent', () => {
    const fields = parseWeChatXml(
      '<xml><A><![CDATA[  two spaces  ]]></A><B><![CDATA[<b>&amp;</b>]]></B><C>\n  <![CDATA[x]]>\n</C></xml>',
    );
    expect(fields).toEqual({ A: '  two spaces  ', B: '<b>&amp;</b>', C: 'x' });
  });

  it('joins split CDATA sections (how "]]>" is carried)', () => {
    expect(parseWeChatXml('<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>')).toEqual({ A: 'a]]>b' });
  });

  it('decodes only the predefined entities and character references in plain text', () => {
    expect(parseWeChatXml('<xml><A>a &lt;&amp;&gt; &#65;&#x42; &quot;&apos; &unknown;</A></xml>')).toEqual({
      A: `a <&> AB "' &unknown;`,
    });
  });

  it('accepts a declaration, comments, attributes and empty elements', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?><xml><!-- note --><A attr="1">v</A><B/><C></C></xml>';
    expect(parseWeChatXml(xml)).toEqual({ A: 'v', B: '', C: '' });
  });

  it('returns an empty object for an empty root and skips nested elements', () => {
    expect(parseWeChatXml('<xml></xml>')).toEqual({});
    expect(parseWeChatXml('<xml><A>1</A><Info><Inner>2</Inner></Info></xml>')).toEqual({ A: '1' });
  });

  it('round-trips what buildWeChatXml produces', () => {
    const fields = {
      ToUserName: 'gh_1',
      Content: 'a]]>b <c> & "d" 授权',
      CreateTime: 1700000000,
    };
    expect(parseWeChatXml(buildWeChatXml(fields))).toEqual({
      ...fields,
      CreateTime: '1700000000',
    });
  });

  describe('refuses', () => {
    it('a billion-laughs document before any expansion', () => {
      const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><A>&lol3;</A></xml>`;
      expect(xmlError(() => parseWeChatXml(bomb)).message).toMatch(/DOCTYPE/);
    });

    it('an external entity (XXE) and a lowercase doctype', () => {
      xmlError(() => parseWeChatXml('<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>'));
      xmlError(() => parseWeChatXml('<!doctype xml><xml><A>1</A></xml>'));
      xmlError(() => parseWeChatXml('<xml><!ENTITY x "y"><A>1</A></xml>'));
    });

    it('a DOCTYPE hidden after a CDATA section', () => {
      xmlError(() => parseWeChatXml('<![CDATA[x]]><!DOCTYPE xml><xml><A>1</A></xml>'));
    });

    it('but not the text "<!DOCTYPE" inside CDATA (a user message may contain it)', () => {
      expect(parseWeChatXml('<xml><Content><![CDATA[<!DOCTYPE html>]]></Content></xml>')).toEqual({
        Content: '<!DOCTYPE html>',
      });
    });

    it('a body over the size limit, counted in UTF-8 bytes', () => {
      const big = `<xml><A>${'a'.repeat(DEFAULT_MAX_XML_BYTES)}</A></xml>`;
      expect(xmlError(() => parseWeChatXml(big)).message).toMatch(/exceeds/);
      const body = `<xml><A>${'授'.repeat(10)}</A></xml>`; // 30 bytes of text, 10 characters
      xmlError(() => parseWeChatXml(body, { maxBytes: body.length + 5 }));
      expect(parseWeChatXml(body, { maxBytes: Buffer.byteLength(body) })).toEqual({ A: '授'.repeat(10) });
    });

    it.each([
      ['not XML', 'success'],
      ['JSON', '{"errcode":0}'],
      ['empty', ''],
      ['unclosed root', '<xml><A>1</A>'],
      ['mismatched tags', '<xml><A>1</B></xml>'],
      ['two roots', '<xml><A>1</A></xml><xml><A>2</A></xml>'],
      ['another root', '<root><A>1</A></root>'],
      ['unterminated CDATA', '<xml><A><![CDATA[x</A></xml>'],
    ])('%s', (_name, xml) => {
      xmlError(() => parseWeChatXml(xml));
    });

    it('a duplicated field, whichever copy a parser would keep', () => {
      expect(xmlError(() => parseWeChatXml('<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>')).message).toMatch(/Duplicate/);
    });

    it('prototype-polluting element names', () => {
      xmlError(() => parseWeChatXml('<xml><__proto__>x</__proto__></xml>'));
      xmlError(() => parseWeChatXml('<xml><constructor>x</constructor></xml>'));
    });

    it('a non-string body', () => {
      xmlError(() => parseWeChatXml(Buffer.from('<xml></xml>') as unknown as string));
    });
  });
});

describe('buildWeChatXml', () => {
  it('wraps strings in CDATA and writes numbers bare, in key order', () => {
    expect(
      buildWeChatXml({
        AppId: 'wx1',
        Encrypt: 'abc+/=',
        CreateTime: 1413192605,
      }),
    ).toBe('<xml><AppId><![CDATA[wx1]]></AppId><Encrypt><![CDATA[abc+/=]]></Encrypt><CreateTime>1413192605</CreateTime></xml>');
  });

  it('splits "]]>" so it cannot close the CDATA section early', () => {
    expect(buildWeChatXml({ A: 'x]]><B>y' })).toBe('<xml><A><![CDATA[x]]]]><![CDATA[><B>y]]></A></xml>');
  });

  it.each([
    ['an element name with markup', { 'A><B': 'x' }],
    ['an empty element name', { '': 'x' }],
    ['a name starting with a digit', { '1A': 'x' }],
    ['a non-finite number', { A: Number.NaN }],
    ['a control character', { A: 'a\u0001b' }],
    ['a non-scalar value', { A: { b: 1 } as unknown as string }],
  ])('refuses %s', (_name, fields) => {
    xmlError(() => buildWeChatXml(fields as Record<string, string | number>));
  });
});

describe('parseWeChatXmlTree', () => {
  it('keeps nested elements as objects and repeated children as lists, leaves as exact strings', () => {
    const xml =
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1408090816</CreateTime>' +
      '<MsgId>1234567890123456789</MsgId><Event><![CDATA[pic_weixin]]></Event>' +
      '<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[a]]></PicMd5Sum></item>' +
      '<item><PicMd5Sum><![CDATA[b]]></PicMd5Sum></item></PicList></SendPicsInfo>' +
      '<ScanCodeInfo>\n  <ScanType><![CDATA[qrcode]]></ScanType>\n</ScanCodeInfo><EventKey></EventKey></xml>';
    expect(parseWeChatXmlTree(xml)).toEqual({
      ToUserName: 'gh_1',
      CreateTime: '1408090816',
      MsgId: '1234567890123456789',
      Event: 'pic_weixin',
      SendPicsInfo: { Count: '2', PicList: { item: [{ PicMd5Sum: 'a' }, { PicMd5Sum: 'b' }] } },
      ScanCodeInfo: { ScanType: 'qrcode' },
      EventKey: '',
    });
  });

  it('has the same guards as the flat parser', () => {
    xmlError(() => parseWeChatXmlTree('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>'));
    xmlError(() => parseWeChatXmlTree('<xml><A>1</A><A>2</A></xml>'));
    xmlError(() => parseWeChatXmlTree('<xml><A><__proto__>1</__proto__></A></xml>'));
    xmlError(() => parseWeChatXmlTree('<xml><A>1</xml>'));
    xmlError(() => parseWeChatXmlTree(`<xml><A>${'x'.repeat(DEFAULT_MAX_XML_BYTES)}</A></xml>`));
  });
});
