import { DomainError } from '@app/common';
import type { WeChatProxyErrorCode } from '../platform/errors/error-codes';

/** The path is neither in the library's permission table nor in WECHAT_PROXY_EXTRA_PATHS. */
export class ApiNotAllowedError extends DomainError<WeChatProxyErrorCode> {
  constructor(path: string) {
    super('API_NOT_ALLOWED', 'The gateway does not proxy this WeChat API path.', { path: path.slice(0, 200) });
  }
}
