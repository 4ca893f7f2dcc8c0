/**
 * An origin as a tenant lists it for web authorization: `scheme://host[:port]` and nothing else
 * (no path, query, fragment or credentials), http(s) only, https only when `httpsOnly`. Returns
 * it as WHATWG `URL#origin` writes it (lower-case host, default port dropped), the form a
 * returnUrl's origin is compared with; undefined when it is not one.
 */
export function parseWebOrigin(raw: string, httpsOnly: boolean): string | undefined {
  if (typeof raw !== 'string' || raw.length > 300 || raw.includes('\\')) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && (httpsOnly || url.protocol !== 'http:')) return undefined;
  // `https://shop.example/` is the origin with an empty path; anything more is a path.
  const bare = raw.replace(/\/$/, '');
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  if (bare.toLowerCase() !== url.origin.toLowerCase() && bare.toLowerCase() !== withDefaultPort(url).toLowerCase())
    return undefined;
  return url.origin;
}

/** `https://host:443` is written without its port by URL#origin; accept it as the same origin. */
function withDefaultPort(url: URL): string {
  const port = url.protocol === 'https:' ? '443' : '80';
  return `${url.protocol}//${url.hostname}:${port}`;
}
