import type { Locale, MerchantMessages } from './catalogue';
import { EN } from './en';
import { ZH_CN } from './zh-CN';

export const MESSAGES: Readonly<Record<Locale, MerchantMessages>> = Object.freeze({ 'zh-CN': ZH_CN, en: EN });

export { localeFromParam, negotiateLocale } from '../../platform/html';
