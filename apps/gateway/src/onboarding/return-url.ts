import { ValidationError } from '@app/common';

export interface ReturnUrlRules {
  /** Production mode: https only. */
  httpsOnly: boolean;
  /** ONBOARDING_RETURN_URL_ORIGINS: when given, the URL's origin must be one of these. */
  allowedOrigins?: string[];
}

const invalid = (message: string) =>
  new ValidationError('The request is invalid.', { fields: [{ field: 'returnUrl', messages: [message] }] });

/**
 * Validates a session's returnUrl with the parser that will use it (WHATWG `new URL`, as the
 * callback does) and returns its normalised form, which is what is stored: what was checked is
 * exactly what the merchant's browser is sent to. Credentials in the URL and backslashes (read
 * differently by different parsers) are refused.
 */
export function parseReturnUrl(raw: string, rules: ReturnUrlRules): string {
  if (raw.includes('\\')) throw invalid('returnUrl must not contain backslashes');
  // new URL would trim them silently: what is stored must be what was sent.
  if (raw !== raw.trim()) throw invalid('returnUrl must not begin or end with spaces');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('returnUrl must be an absolute URL');
  }
  const allowedProtocols = rules.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!allowedProtocols.includes(url.protocol))
    throw invalid(rules.httpsOnly ? 'returnUrl must be an https URL' : 'returnUrl must be an http(s) URL');
  if (url.username || url.password) throw invalid('returnUrl must not contain credentials');
  if (rules.allowedOrigins && !rules.allowedOrigins.includes(url.origin))
    throw invalid('returnUrl’s origin is not one of ONBOARDING_RETURN_URL_ORIGINS');
  return url.href;
}
