import { PERMISSION_SET_NAMES } from '@app/wechat';
import { escapeHtml as e } from '../onboarding/pages';
import type { ConsoleDeliveryRow, ConsoleJobRow, ConsoleTenantRow } from './console.repository';

/** Operator-facing pages (English, like the API). Every page carries a per-response CSP nonce. */
export interface PageContext {
  nonce: string;
  csrfToken?: string;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().replace('.000Z', 'Z') : '—');

function layout(c: PageContext, title: string, body: string, opts: { signedIn: boolean; script?: string }): string {
  const nav = opts.signedIn
    ? `<nav><a href="/console">Component</a> · <a href="/console/tenants">Tenants</a>
<form method="post" action="/console/logout" class="inline">${csrf(c)}<button id="sign-out" type="submit">Sign out</button></form></nav>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)} · gateway console</title>
<style nonce="${e(c.nonce)}">
  body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 68rem; padding: 0 1rem; color: #1f2328; }
  nav { margin-bottom: 1rem; } nav a { margin-right: .5rem; } form.inline { display: inline; margin-left: 1rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; font-size: .9rem; }
  .muted { color: #59636e; } .ok { color: #1a7f37; } .warn { color: #9a6700; } .err { color: #cf222e; }
  progress { width: 12rem; } code { background: #f6f8fa; padding: .1rem .3rem; }
  input, select, button { font-size: .95rem; padding: .25rem .5rem; }
</style>
</head>
<body>
${nav}
${body}
${opts.script ? `<script nonce="${e(c.nonce)}">${opts.script}</script>` : ''}
</body>
</html>
`;
}

const csrf = (c: PageContext) => (c.csrfToken ? `<input type="hidden" name="csrf" value="${e(c.csrfToken)}">` : '');

export function loginPage(c: PageContext, error?: string): string {
  return layout(
    c,
    'Sign in',
    `<h1>Gateway console</h1>
${error ? `<p id="login-error" class="err">${e(error)}</p>` : ''}
<form method="post" action="/console/login">
<label>Operator API key <input id="operator-key" name="key" type="password" autocomplete="off" required></label>
<button id="sign-in" type="submit">Sign in</button>
</form>
<p class="muted">The key is checked once; the browser then keeps an 8-hour session cookie, not the key.</p>`,
    { signedIn: false },
  );
}

export interface ComponentStatusModel {
  componentAppId: string;
  mode: string;
  ticketReceivedAt: Date | null;
  ticketAgeSeconds: number | null;
  ticketStale: boolean;
  tokenExpiresAt: Date | null;
}

export function statusPage(c: PageContext, s: ComponentStatusModel): string {
  return layout(
    c,
    'Component',
    `<h1>Component <code>${e(s.componentAppId)}</code></h1>
<table id="component-status">
<tr><th>Mode</th><td id="mode">${e(s.mode)}</td></tr>
<tr><th>Verify ticket</th><td id="ticket" class="${s.ticketStale ? 'err' : 'ok'}">${
      s.ticketAgeSeconds === null
        ? 'none received yet'
        : `${e(s.ticketAgeSeconds)} s old (received ${e(iso(s.ticketReceivedAt))})`
    }${s.ticketStale ? ' — stale' : ''}</td></tr>
<tr><th>Component token expires</th><td id="token-expiry">${e(iso(s.tokenExpiresAt))}</td></tr>
</table>`,
    { signedIn: true },
  );
}

const sets = (ids: number[]) => ids.map((id) => `${id} (${PERMISSION_SET_NAMES[id] ?? 'unnamed'})`).join(', ') || '—';

export function tenantsPage(
  c: PageContext,
  m: { rows: ConsoleTenantRow[]; q: string; status: string; page: number; hasNext: boolean; statuses: readonly string[] },
): string {
  const link = (page: number) =>
    `/console/tenants?${new URLSearchParams({ q: m.q, status: m.status, page: String(page) }).toString()}`;
  const rows = m.rows
    .map(
      (t) => `<tr data-tenant-id="${e(t.id)}" data-status="${e(t.status)}">
<td><a href="/console/tenants/${e(t.id)}">${e(t.name)}</a><br><span class="muted">${e(t.externalId ?? '')}</span></td>
<td class="status">${e(t.status)}</td><td>${e(t.nickName ?? '')} <code>${e(t.appId ?? '—')}</code></td>
<td class="sets" data-permission-sets="${e(t.permissionSets.join(','))}">${e(sets(t.permissionSets))}</td><td>${e(iso(t.tokenExpiresAt))}</td></tr>`,
    )
    .join('\n');
  const options = ['', ...m.statuses]
    .map((s) => `<option value="${e(s)}"${s === m.status ? ' selected' : ''}>${e(s || 'any status')}</option>`)
    .join('');
  return layout(
    c,
    'Tenants',
    `<h1>Tenants</h1>
<form method="get" action="/console/tenants">
<input id="search" name="q" value="${e(m.q)}" placeholder="name, external id, appid, tenant id">
<select id="status-filter" name="status">${options}</select> <button type="submit">Search</button>
</form>
<table id="tenants"><tr><th>Tenant</th><th>Status</th><th>Account</th><th>Permission sets</th><th>Token expires</th></tr>
${rows || '<tr><td colspan="5" class="muted">No tenants match.</td></tr>'}
</table>
<p>${m.page > 1 ? `<a id="prev-page" href="${e(link(m.page - 1))}">← previous</a>` : ''} page ${e(m.page)} ${
      m.hasNext ? `<a id="next-page" href="${e(link(m.page + 1))}">next →</a>` : ''
    }</p>`,
    { signedIn: true },
  );
}

export interface AuditLine {
  at: string;
  actor: string;
  actorName?: string | null;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId: string | null;
}

/** Polls the jobs JSON every 1.5 s while a job is open, and moves the bars without a reload. */
const PROGRESS_SCRIPT = `(function () {
  var url = document.getElementById('jobs').getAttribute('data-poll');
  function tick() {
    fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
      if (!body) return;
      var open = false;
      body.jobs.forEach(function (j) {
        var row = document.querySelector('tr[data-job-id="' + j.id + '"]');
        if (!row) return;
        var bar = row.querySelector('progress');
        bar.max = Math.max(j.total, 1); bar.value = j.processed;
        row.querySelector('.job-status').textContent = j.status;
        row.querySelector('.job-percent').textContent = j.percent + ' %';
        row.setAttribute('data-status', j.status);
        var cancel = row.querySelector('form');
        if (j.done && cancel) cancel.remove();
        if (!j.done) open = true;
      });
      if (open) setTimeout(tick, 1500);
    }).catch(function () { setTimeout(tick, 5000); });
  }
  tick();
})();`;

export const jobPercent = (j: { total: number; processed: number; cancelled: number }) =>
  j.total === 0 ? 100 : Math.floor(((j.processed + j.cancelled) * 100) / j.total);

export function tenantPage(
  c: PageContext,
  m: {
    tenant: ConsoleTenantRow;
    audit: AuditLine[];
    jobs: ConsoleJobRow[];
    deliveries: ConsoleDeliveryRow[];
    onboardingUrl?: string;
    notice?: string;
  },
): string {
  const t = m.tenant;
  const jobs = m.jobs
    .map(
      (j) => `<tr data-job-id="${e(j.id)}" data-status="${e(j.status)}"><td><code>${e(j.id)}</code></td><td>${e(j.action)}</td>
<td class="job-status">${e(j.status)}</td><td><progress max="${e(Math.max(j.total, 1))}" value="${e(j.processed)}"></progress>
<span class="job-percent">${e(jobPercent(j))} %</span> <span class="muted">of ${e(j.total)}</span></td><td>${e(iso(j.createdAt))}</td>
<td>${
        ['queued', 'running', 'paused'].includes(j.status)
          ? `<form method="post" action="/console/tenants/${e(t.id)}/jobs/${e(j.id)}/cancel" class="inline">${csrf(c)}<button class="cancel-job" type="submit">Cancel</button></form>`
          : ''
      }</td></tr>`,
    )
    .join('\n');
  const audit = m.audit
    .map(
      (a) =>
        `<tr><td>${e(iso(a.at))}</td><td>${e(a.actorName ? `${a.actor} ${a.actorName}` : a.actor)}</td><td>${e(a.action)}</td><td>${e(a.succeeded)}/${e(a.total)} succeeded, ${e(a.invalid)} invalid, ${e(a.failed)} failed</td><td>${e(a.jobId ?? '')}</td></tr>`,
    )
    .join('\n');
  const deliveries = m.deliveries
    .map(
      (d) =>
        `<tr><td>${e(iso(d.updatedAt))}</td><td>${e(d.type)}</td><td>${e(d.status)}</td><td>${e(d.attemptCount)}</td><td>${e(d.url)}</td></tr>`,
    )
    .join('\n');
  return layout(
    c,
    t.name,
    `<h1 id="tenant-name">${e(t.name)}</h1>
${m.notice ? `<p id="notice" class="ok">${e(m.notice)}</p>` : ''}
${m.onboardingUrl ? `<p>New onboarding link (send it to the merchant): <a id="onboarding-link" href="${e(m.onboardingUrl)}">${e(m.onboardingUrl)}</a></p>` : ''}
<table id="tenant" data-tenant-id="${e(t.id)}">
<tr><th>Status</th><td id="tenant-status">${e(t.status)}</td></tr>
<tr><th>Account</th><td>${e(t.nickName ?? '')} <code id="tenant-appid">${e(t.appId ?? '—')}</code></td></tr>
<tr><th>Permission sets</th><td id="tenant-sets" data-permission-sets="${e(t.permissionSets.join(','))}">${e(sets(t.permissionSets))}</td></tr>
<tr><th>Authorizer token expires</th><td>${e(iso(t.tokenExpiresAt))}</td></tr>
<tr><th>External id</th><td>${e(t.externalId ?? '—')}</td></tr>
<tr><th>H5 page origins</th><td id="tenant-web-oauth-origins">${e(t.webOAuthOrigins.join(' ') || '— (web authorization refused)')}</td></tr>
</table>
<form method="post" action="/console/tenants/${e(t.id)}/onboarding-links">${csrf(c)}<button id="new-onboarding-link" type="submit">New onboarding link</button></form>
<h2>Blacklist jobs</h2>
<table id="jobs" data-poll="/console/tenants/${e(t.id)}/jobs.json"><tr><th>Job</th><th>Action</th><th>Status</th><th>Progress</th><th>Created</th><th></th></tr>
${jobs || '<tr><td colspan="6" class="muted">No jobs yet.</td></tr>'}
</table>
<h2>Audit events</h2>
<table id="audit"><tr><th>At</th><th>Actor</th><th>Action</th><th>Outcome</th><th>Job</th></tr>
${audit || '<tr><td colspan="5" class="muted">No audit events yet.</td></tr>'}
</table>
<h2>Webhook deliveries</h2>
<table id="deliveries"><tr><th>Updated</th><th>Event</th><th>Status</th><th>Attempts</th><th>Endpoint</th></tr>
${deliveries || '<tr><td colspan="5" class="muted">No deliveries for this tenant.</td></tr>'}
</table>`,
    { signedIn: true, script: m.jobs.length ? PROGRESS_SCRIPT : undefined },
  );
}

export function consoleErrorPage(c: PageContext, status: number, message: string, signedIn: boolean): string {
  return layout(c, 'Error', `<h1 class="err">${e(status)}</h1><p id="console-error">${e(message)}</p>`, { signedIn });
}
