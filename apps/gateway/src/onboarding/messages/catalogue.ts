export { DEFAULT_LOCALE, LOCALES, type Locale } from '../../platform/html';

/** Error pages a merchant can reach, each with its own title and explanation. */
export type MerchantErrorPage =
  | 'sessionNotFound'
  | 'sessionGone'
  | 'ticketMissing'
  | 'budgetExhausted'
  | 'quotaExhausted'
  | 'wechatUnavailable'
  | 'missingCode'
  | 'codeInvalid'
  | 'alreadyBound'
  | 'tenantGone'
  | 'rateLimited'
  | 'unexpected';

/**
 * Every string a merchant can read, one catalogue per language. Templates in pages.ts hold
 * markup only; anything with words comes from here (functions where values are interpolated;
 * the template escapes what they return).
 */
export interface MerchantMessages {
  errorCodeLabel: string;
  errors: Record<MerchantErrorPage, { title: string; message: string }>;
  alreadyBoundMessage: (appId: string | null) => string;
  /** WeChat's own daily quota (45009) is spent; `resetsAt` is the China-time moment it resets, `YYYY-MM-DD 00:00`. */
  quotaExhaustedMessage: (resetsAt: string) => string;
  onboarding: {
    title: string;
    heading: string;
    /** The heading naming the provider (BRAND_NAME). */
    brandedHeading: (brand: string) => string;
    intro: string;
    /** "Tick <set name> among the permissions": the set name is emphasised between the two halves (which carry their own spaces). */
    permissionHintBefore: string;
    /** User management (set 2), as WeChat's authorization page labels it. */
    permissionToTick: string;
    permissionHintAfter: string;
    authorizePc: string;
    authorizeMobile: string;
    linkLifetime: string;
  };
  authorized: {
    title: string;
    heading: string;
    accountBefore: string;
    accountAfter: string;
    principal: (principalName: string) => string;
    appIdLabel: string;
    blacklistAvailable: string;
    blacklistNotVerified: string;
    blacklistSetMissing: (sets: string) => string;
    blacklistUnavailable: string;
    closePage: string;
    /** A completed session's link opened again: the account it connected, not an error. */
    completedTitle: string;
    completedHeading: string;
  };
  /** "2 (user management)"; unknown sets get a placeholder name. */
  permissionSet: (id: number) => string;
  /** Joins alternatives: "2 or 100" / "2 或 100". */
  alternatives: (items: string[]) => string;
}
