interface Priority {
  q: number;
  s: number;
  o: number;
}

/**
 * The media type of `offered` the Accept header prefers, as Express's `req.accepts(offered)` picks
 * it (negotiator's rules: quality, then how specific the matching range is, then its position,
 * then the order offered); the first one when there is no Accept header, undefined when none is
 * acceptable.
 */
export function preferredType(accept: string | undefined, offered: string[]): string | undefined {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = accept.split(',').flatMap((part, o) => {
    const [type, ...params] = part.trim().split(';');
    const [main, sub] = type.trim().toLowerCase().split('/');
    if (!main || !sub) return [];
    const qParam = params.map((p) => p.trim().split('=')).find(([k]) => k.toLowerCase() === 'q');
    const q = qParam ? Number(qParam[1]) : 1;
    return Number.isFinite(q) ? [{ main, sub, q, o }] : [];
  });
  const ranked = offered
    .map((type, i) => {
      const [main, sub] = type.split('/');
      let best: Priority | undefined;
      for (const r of ranges) {
        if ((r.main !== '*' && r.main !== main) || (r.sub !== '*' && r.sub !== sub)) continue;
        const p = { q: r.q, s: (r.main === main ? 4 : 0) | (r.sub === sub ? 2 : 0), o: r.o };
        if (!best || (best.s - p.s || best.q - p.q || best.o - p.o) < 0) best = p;
      }
      return { type, i, best };
    })
    .filter((c): c is { type: string; i: number; best: Priority } => c.best !== undefined && c.best.q > 0)
    .sort((a, b) => b.best.q - a.best.q || b.best.s - a.best.s || a.best.o - b.best.o || a.i - b.i);
  return ranked[0]?.type;
}

/** A client that asks for JSON rather than HTML (`req.accepts(['html', 'json']) === 'json'`). */
export function prefersJson(accept: string | undefined): boolean {
  return preferredType(accept, ['text/html', 'application/json']) === 'application/json';
}
