import { join } from 'node:path';
import type { randomComponent } from './gateway-harness';

/** The WeChat half of a production-mode environment for a spawned gateway: one component, every URL at one simulator. */
export function wechatEnvFor(component: ReturnType<typeof randomComponent>, simUrl: string): Record<string, string> {
  return {
    WECHAT_COMPONENT_APPID: component.componentAppId,
    WECHAT_COMPONENT_APPSECRET: component.componentAppSecret,
    WECHAT_COMPONENT_TOKEN: component.componentToken,
    WECHAT_COMPONENT_ENCODING_AES_KEY: component.encodingAESKey,
    WECHAT_API_BASE_URL: simUrl,
    WECHAT_MP_BASE_URL: simUrl,
    WECHAT_OPEN_BASE_URL: simUrl,
  };
}

/** The built gateway every spawning test runs (`npm test` builds it first). */
export const BUILT_GATEWAY = join(__dirname, '..', '..', 'dist', 'apps', 'gateway', 'src', 'main.js');
