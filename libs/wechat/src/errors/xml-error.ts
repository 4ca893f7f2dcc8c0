import { WeChatError } from './wechat-error';

/** A WeChat XML body that is malformed, too large, or uses forbidden constructs (DTDs). */
export class WeChatXmlError extends WeChatError {
  readonly code = 'WECHAT_XML_INVALID' as const;
}
