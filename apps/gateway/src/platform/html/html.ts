import type { Locale } from './locale';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Everything interpolated into a page goes through this, text and attribute values alike
 * (every attribute is double-quoted, so these five characters are all that matter).
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** What every server-rendered page shares: fonts that cover Chinese, colours, and a phone-width layout. */
const BASE_CSS = `
  body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 1.5rem auto; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
  .muted { color: #59636e; font-size: .9rem; }
  .ok { color: #1a7f37; } .warn { color: #9a6700; } .err { color: #cf222e; }
  code { background: #f6f8fa; padding: .1rem .3rem; border-radius: 4px; overflow-wrap: anywhere; }`;

export interface HtmlDocument {
  locale: Locale;
  title: string;
  body: string;
  /** Page-specific rules, appended to the shared ones. */
  css?: string;
  /** With a nonce, the style (and script) carry it, for pages whose CSP allows nothing inline without one. */
  nonce?: string;
  script?: string;
}

/** The one page layout of the merchant pages and the operator console. */
export function htmlDocument(d: HtmlDocument): string {
  const nonce = d.nonce ? ` nonce="${escapeHtml(d.nonce)}"` : '';
  return `<!doctype html>
<html lang="${escapeHtml(d.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(d.title)}</title>
<style${nonce}>${BASE_CSS}${d.css ?? ''}
</style>
</head>
<body>
${d.body}
${d.script ? `<script${nonce}>${d.script}</script>` : ''}
</body>
</html>
`;
}
