export { escapeHtml, htmlDocument, type HtmlDocument } from './html';
export { DEFAULT_LOCALE, LOCALES, type Locale, localeFromParam, negotiateLocale } from './locale';
