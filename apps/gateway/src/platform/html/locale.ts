/** The languages server-rendered pages speak; Chinese first because the accounts and their operators are in China. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** `?lang=` values we honour, case-insensitively; anything else is ignored (never an error page). */
export function localeFromParam(value: unknown): Locale | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh' || v === 'zh-cn' || v === 'zh-hans' || v.startsWith('zh-hans-')) return 'zh-CN';
  return undefined;
}

/**
 * The reader's language: `?lang=` first, then the highest-weighted Accept-Language range we
 * speak (any Chinese reads Simplified Chinese, any English reads English), else Chinese.
 */
export function negotiateLocale(langParam: unknown, acceptLanguage: string | undefined): Locale {
  const explicit = localeFromParam(langParam);
  if (explicit) return explicit;
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)?.[1]).find((x) => x !== undefined);
      const weight = q === undefined ? 1 : Number(q);
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.tag && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
  }
  return DEFAULT_LOCALE;
}
