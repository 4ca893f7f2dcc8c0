import { EN } from './en';
import { MESSAGES, localeFromParam, negotiateLocale } from './locale';
import { ZH_CN } from './zh-CN';

describe('merchant page language', () => {
  it.each([
    [undefined, undefined, 'zh-CN'],
    [undefined, '*', 'zh-CN'],
    [undefined, 'en-US,en;q=0.9', 'en'],
    [undefined, 'zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    [undefined, 'zh;q=0.5,en;q=0.8', 'en'],
    [undefined, 'fr-FR,en-GB;q=0.7,zh;q=0.3', 'en'],
    [undefined, 'de,fr', 'zh-CN'],
    [undefined, 'en;q=0,zh-TW', 'zh-CN'],
    ['en', 'zh-CN', 'en'],
    ['zh-CN', 'en-US', 'zh-CN'],
    ['ZH-cn', 'en', 'zh-CN'],
    ['klingon', 'en', 'en'],
    [['en', 'zh-CN'], undefined, 'zh-CN'],
  ])('?lang=%j with Accept-Language %j → %s', (lang, accept, expected) => {
    expect(negotiateLocale(lang, accept as string | undefined)).toBe(expected);
  });

  it('only the two documented ?lang= values (and their plain variants) count', () => {
    expect(localeFromParam('en')).toBe('en');
    expect(localeFromParam('zh-CN')).toBe('zh-CN');
    expect(localeFromParam('ja')).toBeUndefined();
    expect(localeFromParam(undefined)).toBeUndefined();
  });

  it('both catalogues carry the same keys (no string falls back to another language)', () => {
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v).map((s) => `${k}.${s}`) : [k]));
    expect(keys(ZH_CN).sort()).toEqual(keys(EN).sort());
    expect(MESSAGES['zh-CN']).toBe(ZH_CN);
    const zhTexts = Object.values(ZH_CN.errors).map((e) => e.title + e.message);
    for (const t of zhTexts) expect(t).toMatch(/[\u4e00-\u9fff]/);
  });
});
