import { PERMISSION_SET_NAMES_ZH } from '@app/wechat';
import type { MerchantMessages } from './catalogue';

export const ZH_CN: MerchantMessages = {
  errorCodeLabel: '错误代码：',
  errors: {
    sessionNotFound: {
      title: '链接无效',
      message: '此授权链接无效。请向您的服务商索取新的链接。',
    },
    sessionGone: {
      title: '链接已失效',
      message: '此授权链接已过期或已被使用。请向您的服务商索取新的链接。',
    },
    ticketMissing: {
      title: '服务尚未就绪',
      message: '服务正在等待微信确认第三方平台。请在一分钟后重试。',
    },
    budgetExhausted: {
      title: '请明天再试',
      message: '服务今日向微信发起的授权请求已达上限。请在北京时间零点之后重新打开此链接。',
    },
    quotaExhausted: {
      title: '今日授权次数已用完',
      message: '微信今日为本服务商提供的授权次数已用完。请在北京时间零点之后重新打开此链接。',
    },
    wechatUnavailable: {
      title: '微信暂无响应',
      message: '暂时无法连接微信。请稍后刷新此页面。',
    },
    missingCode: {
      title: '授权未完成',
      message: '微信没有返回授权码。请从您的授权链接重新开始。',
    },
    codeInvalid: {
      title: '请重新授权',
      message: '微信的授权码无效或已过期，授权未能完成。请重新打开您的授权链接并再次授权。',
    },
    alreadyBound: {
      title: '公众号已绑定',
      message: '此公众号已绑定到本服务的另一商户，未做任何更改。',
    },
    tenantGone: {
      title: '链接无效',
      message: '此授权链接已不再有效。请向您的服务商索取新的链接。',
    },
    rateLimited: {
      title: '请稍候',
      message: '短时间内访问次数过多。请稍等片刻后再刷新此页面。',
    },
    unexpected: {
      title: '出现问题',
      message: '处理您的请求时发生意外错误。请稍后重试；如问题持续，请联系您的服务商。',
    },
  },
  quotaExhaustedMessage: (resetsAt) =>
    `微信今日为本服务商提供的授权次数已用完（微信的每日配额，并非故障）。请在北京时间 ${resetsAt} 之后重新打开此链接。`,
  alreadyBoundMessage: (appId) => `此公众号${appId ? `（${appId}）` : ''}已绑定到本服务的另一商户，未做任何更改。`,
  onboarding: {
    title: '授权您的公众号',
    heading: '授权您的微信公众号',
    intro:
      '请通过微信授权页面，授权本服务管理您的公众号。在电脑上，请用公众号管理员的微信扫描微信显示的二维码；在手机上，请在微信内打开手机授权链接。',
    permissionHintBefore: '如需我们管理您的黑名单，请在权限中勾选',
    permissionToTick: PERMISSION_SET_NAMES_ZH[2],
    permissionHintAfter: '。',
    authorizePc: '在电脑上授权',
    authorizeMobile: '在手机微信中授权',
    linkLifetime: '每个链接只能使用一次，并在几分钟内有效；刷新此页面即可获取新的链接。',
  },
  authorized: {
    title: '授权成功',
    heading: '授权成功',
    accountBefore: '您的公众号',
    accountAfter: '已成功接入。',
    principal: (name) => `（${name}）`,
    appIdLabel: 'AppID：',
    blacklistAvailable: '黑名单管理功能可用。',
    blacklistNotVerified: '黑名单管理功能不可用：此公众号未认证（微信仅允许已认证的公众号使用）。',
    blacklistSetMissing: (sets) => `黑名单管理功能不可用：未授权权限集 ${sets}。请重新授权并勾选该权限。`,
    blacklistUnavailable: '黑名单管理功能不可用。',
    closePage: '您可以关闭此页面。',
  },
  permissionSet: (id) => `${id}（${PERMISSION_SET_NAMES_ZH[id] ?? '未命名'}）`,
  alternatives: (items) => items.join(' 或 '),
};
