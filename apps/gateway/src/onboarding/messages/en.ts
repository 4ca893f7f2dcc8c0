import { PERMISSION_SET_NAMES } from '@app/wechat';
import type { MerchantMessages } from './catalogue';

export const EN: MerchantMessages = {
  errorCodeLabel: 'Error code:',
  errors: {
    sessionNotFound: {
      title: 'Link not valid',
      message: 'This authorization link is not valid. Ask your service provider for a new one.',
    },
    sessionGone: {
      title: 'Link no longer valid',
      message: 'This authorization link has expired or was already used. Ask your service provider for a new one.',
    },
    ticketMissing: {
      title: 'Not ready yet',
      message: 'The service is waiting for WeChat to confirm the platform. Please try again in a minute.',
    },
    budgetExhausted: {
      title: 'Please try again tomorrow',
      message:
        'The service has reached its daily limit of authorization requests to WeChat. Please open this link again after midnight China time.',
    },
    quotaExhausted: {
      title: 'Authorizations are used up for today',
      message:
        'WeChat’s daily quota of authorizations for this service provider is used up. Please open this link again after midnight China time.',
    },
    wechatUnavailable: {
      title: 'WeChat did not answer',
      message: 'WeChat could not be reached just now. Please reload this page in a moment.',
    },
    missingCode: {
      title: 'Authorization incomplete',
      message: 'WeChat did not send an authorization code. Please start again from your authorization link.',
    },
    codeInvalid: {
      title: 'Please start again',
      message:
        'The authorization could not be completed because WeChat’s authorization code is invalid or has expired. Please open your authorization link again and start again.',
    },
    alreadyBound: {
      title: 'Account already connected',
      message: 'This Official Account is already connected to another merchant of this service. Nothing was changed.',
    },
    tenantGone: {
      title: 'Link not valid',
      message: 'This authorization link is not valid any more. Ask your service provider for a new one.',
    },
    rateLimited: {
      title: 'Please wait a moment',
      message: 'This page was opened too often in a short time. Please wait a little, then reload it.',
    },
    unexpected: {
      title: 'Something went wrong',
      message: 'An unexpected error occurred. Please try again later; if it persists, contact your service provider.',
    },
  },
  quotaExhaustedMessage: (resetsAt) =>
    `WeChat’s daily quota of authorizations for this service provider is used up (a daily limit, not an outage). Please open this link again after ${resetsAt} China time (UTC+8).`,
  alreadyBoundMessage: (appId) =>
    `This Official Account${appId ? ` (${appId})` : ''} is already connected to another merchant of this service. Nothing was changed.`,
  onboarding: {
    title: 'Authorize your Official Account',
    heading: 'Authorize your WeChat Official Account',
    intro:
      "Grant this service access to your Official Account through WeChat's authorization page. On a computer, scan the QR code WeChat shows with the administrator's WeChat; on a phone, open the mobile link inside WeChat.",
    permissionHintBefore: 'To let us manage your blacklist, tick ',
    permissionToTick: 'User management',
    permissionHintAfter: ' among the permissions.',
    authorizePc: 'Authorize on a computer',
    authorizeMobile: 'Authorize in WeChat on a phone',
    linkLifetime: 'Each link works once and for a few minutes; reload this page for fresh ones.',
  },
  authorized: {
    title: 'Authorization complete',
    heading: 'Authorization complete',
    accountBefore: 'Your Official Account',
    accountAfter: 'is now connected.',
    principal: (name) => `(${name})`,
    appIdLabel: 'AppID:',
    blacklistAvailable: 'Blacklist management is available.',
    blacklistNotVerified:
      'Blacklist management is not available: this Official Account is not verified (WeChat only allows it for verified accounts).',
    blacklistSetMissing: (sets) =>
      `Blacklist management is not available: the permission set ${sets} was not granted. Authorize again and tick it.`,
    blacklistUnavailable: 'Blacklist management is not available.',
    closePage: 'You can close this page.',
  },
  permissionSet: (id) => `${id} (${PERMISSION_SET_NAMES[id] ?? 'unnamed'})`,
  alternatives: (items) => items.join(' or '),
};
